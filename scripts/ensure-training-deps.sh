#!/usr/bin/env bash
# Installs what the training tools need from Debian (no PyPI here): PyTorch and onnx, OpenBLAS (torch
# otherwise runs the reference BLAS: 5x slower products), the reference BLAS too (the training
# benchmark's "fresh machine" baseline), ffmpeg (decoding, lossy round trips), matplotlib (learning
# curves) and the sampled instruments the pack is built from. Only what is missing is installed, and
# nothing else is upgraded. As a non-root user it prints the command instead.
set -euo pipefail

packages=(python3-torch python3-onnx python3-numpy python3-matplotlib libopenblas0-pthread libblas3 liblapack3 ffmpeg
	fluid-soundfont-gm musescore-general-soundfont-lossless hydrogen-drumkits hydrogen-drumkits-effects
	avldrums.lv2-soundfont)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "The training tools need these Debian packages: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "Installing Debian packages for the training tools: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
