export { checkMdxSettingsFitModel, identifyMdxModel, mdxInputShape, secondaryStemOf, uvrDisplayName, uvrModelHash, validateMdxSettings, UVR_HASH_BYTES } from './identify';
export type { MdxIdentification, MdxSettings } from './identify';
export { Md5, md5Hex } from '../../hash/md5';
