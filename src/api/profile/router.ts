/**
 * /api/profile/: the caller's own profile, as JSON or as multipart/form-data with a `picture`.
 * The multipart parser leaves the upload in a temp file (removed after the handler returns); the
 * validator has already checked the form fields and that any file came as `picture`.
 */
import type { ApiRoutes } from '../route.ts';
import { uploadedFiles } from '../route.ts';
import { invalidField } from '../../errors.ts';
import { currentUser } from '../../middleware/authenticate.ts';
import { presentProfile } from '../../presenters/user.ts';
import { saveProfile } from '../../services/profile.ts';
import type { AppContext } from '../../types.ts';
import { decodeProfile, decodeProfileForm, type ProfileForm, type ProfileJson } from './decode.ts';

/** The temp file of the uploaded picture, if any; a `picture` sent as a text field is refused. */
function pictureUpload(ctx: AppContext, form: ProfileForm): string | undefined {
  const file = uploadedFiles(ctx).find((f) => f.field === 'picture');
  if (form.picture !== undefined && !file) throw invalidField('picture', 'must be an uploaded file');
  if (file?.size === 0) throw invalidField('picture', 'must not be empty');
  return file?.filepath;
}

async function saveFromRequest(ctx: AppContext, body: ProfileJson | ProfileForm): Promise<void> {
  const user = currentUser(ctx);
  const { db, events, config } = ctx.deps;
  const deps = { db, events, mediaRoot: config.mediaRoot, images: { jobs: ctx.deps.imageJobs, maxPixels: config.images.maxPixels } };
  if (ctx.is('multipart/form-data')) {
    const form = body as ProfileForm;
    const picture = pictureUpload(ctx, form);
    ctx.body = presentProfile(await saveProfile(deps, user, decodeProfileForm(form), picture));
  } else {
    ctx.body = presentProfile(await saveProfile(deps, user, decodeProfile(body as ProfileJson)));
  }
}

export function registerProfileRoutes(routes: ApiRoutes): void {
  routes
    .on('getProfile', (ctx) => {
      ctx.body = presentProfile(currentUser(ctx));
    })
    .on('replaceProfile', (ctx, { body }) => saveFromRequest(ctx, body))
    .on('updateProfile', (ctx, { body }) => saveFromRequest(ctx, body));
}
