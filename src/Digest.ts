/** SHA-256 digests, hex-encoded. */
import { createHash } from "node:crypto"

/** Lower-case hex SHA-256 of a string (as UTF-8) or bytes. */
export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex")
