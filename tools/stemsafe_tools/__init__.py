"""Stemsafe model tooling: BS-Roformer definition, ONNX export (STFT outside the graph), manifests."""
