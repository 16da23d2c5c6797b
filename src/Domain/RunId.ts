/**
 * The shape of a run id, in a module without imports: the launcher's
 * `runs list` fast path (src/RunsListing.ts) tests directory names with it
 * before anything of effect is loaded (issue 14).
 */

/** Run ids are `doc-` and 12 lower-case hex digits; nothing else reaches the filesystem. */
export const RUN_ID_PATTERN = /^doc-[0-9a-f]{12}$/
