/** Nara's version, as `nara --version` prints it and provenance manifests name it. */
export const naraVersion = '0.1.0';
