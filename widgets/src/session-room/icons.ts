/** The room's control icons (decorative: every control also carries a text label). */
import { icon } from '../shared/icons.ts';

export const micIcon = () => icon(['M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3Z', 'M19 10v2a7 7 0 0 1-14 0v-2', 'M12 19v3']);

export const micOffIcon = (className?: string) =>
  icon(['M2 2l20 20', 'M18.89 13.23A7.12 7.12 0 0 0 19 12v-2', 'M5 10v2a7 7 0 0 0 12 5', 'M15 9.34V5a3 3 0 0 0-5.68-1.33', 'M9 9v3a3 3 0 0 0 5.12 2.12', 'M12 19v3'], className);

export const cameraIcon = () =>
  icon(['m16 13 5.22 3.48a.5.5 0 0 0 .78-.42V7.87a.5.5 0 0 0-.75-.43L16 10.5', 'M4 6h10a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2Z']);

export const cameraOffIcon = (className?: string) =>
  icon(['M2 2l20 20', 'M10.66 6H14a2 2 0 0 1 2 2v2.5l5.25-3.06a.5.5 0 0 1 .75.43v8.2', 'M16 16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h2'], className);

export const screenIcon = (className?: string) =>
  icon(['M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Z', 'M12 22v-4', 'M8 22h8', 'm9 10 3-3 3 3', 'M12 13V7'], className);

export const leaveIcon = () => icon(['M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'm16 17 5-5-5-5', 'M21 12H9']);

export const endIcon = () => icon(['M4 4h16v16H4z']);

export const sendIcon = () => icon(['m22 2-7 20-4-9-9-4Z', 'M22 2 11 13'], 'size-4');
