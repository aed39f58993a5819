#!/usr/bin/env node
// The `mentorctl` executable. The CLI is TypeScript run by tsx (as the server is), so this launcher
// registers tsx's ESM loader before importing the entry point. It resolves next to its real path,
// so it works from the checkout (`npx mentorctl`) and through `npm install -g`'s symlink alike.
import { register } from 'tsx/esm/api';

register();
await import('../index.ts');
