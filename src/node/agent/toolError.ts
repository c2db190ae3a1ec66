/** A failure the model should read: no such trace, an unknown endpoint, a backend that did not answer. */
export class ToolError extends Error {}
