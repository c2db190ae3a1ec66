// Types for scripts/code-server.mjs, so the TypeScript tests can use the same launcher as `npm start`.
import type { Browser } from 'playwright-core';
export const ROOT: string;
export const ENTRY: string;
export function freePort(): Promise<number>;
export function startCodeServer(options: { folder: string; port?: number; settings?: Record<string, unknown>; extensionsDir?: string; keepState?: string }): Promise<{ url: string; port: number; stateDir: string; log(): string; stop(): Promise<void> }>;
export function launchChromium(): Promise<Browser>;
