/** Proof verification in the browser, with WebCrypto only: signed checkpoints, RFC 9162 inclusion proofs. */
export { decodeBase64, encodeBase64, toHex, sha256, type Bytes } from './bytes.js';
export { computeKeyHash, checkVerifierKey, parseSignedNote, parseVerifierKey, verifyNoteSignature, type NoteSignature, type SignedNote, type VerifierKey, type SignatureCheck } from './signed-note.js';
export { parseCheckpoint, readCheckpointNote, type Checkpoint } from './checkpoint.js';
export { leafHash, nodeHash, inclusionPathLength, rootFromInclusionPath, type PathResult } from './merkle.js';
export { verifyInclusion, verifyStepIds, type InclusionProofInput, type InclusionVerdict, type VerifyFailureCode, type VerifyInclusionInput, type VerifyStep, type VerifyStepId } from './inclusion.js';
export { readLeaf, type LeafReading } from './leaf.js';
