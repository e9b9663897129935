/** glassbox's own version, kept in step with package.json by a test. */
export const GLASSBOX_VERSION = "0.1.0";
