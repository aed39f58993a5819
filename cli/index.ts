/** Entry point of `mentorctl` (started by cli/bin/mentorctl.js). */
import { main } from './main.ts';

process.exitCode = await main(process.argv);
