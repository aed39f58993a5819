/** The contract types live in src/contract/types.ts (shared by every layer); routers import them here. */
export * from '../contract/types.ts';
