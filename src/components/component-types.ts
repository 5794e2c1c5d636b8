/** What a component may be called (it is part of URLs and log file names). */
export const COMPONENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,40}$/;
