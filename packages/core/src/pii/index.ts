export * from "./cipher.js";
export { KEYRING_CACHE_MS, forgetKeys, keyring, readKeyring, type Keyring } from "./keyring.js";
export { DEFAULT_MASTER_KEY_FILE, ensureLocalMasterKeyFile, kmsMasterKey, localMasterKey, masterKey, resetMasterKey, type MasterKey } from "./master.js";
export * from "./rotate.js";
