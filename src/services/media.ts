/**
 * Profile pictures. An upload is accepted only when its bytes are JPEG, PNG or WebP (the file name
 * and the client's content type are never trusted) and sharp can decode it; it is then re-encoded
 * to WebP (turned upright per EXIF, every metadata block dropped, fitted within 512×512) and
 * written under MEDIA_ROOT with a random name. What is served is always our own re-encoding,
 * never the uploaded bytes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Metadata } from 'sharp';

/**
 * sharp (and the libvips it maps into memory, ≈ 20 MiB of RSS) is loaded on the first picture, not
 * at start-up: most processes never handle one.
 */
let sharpModule: Promise<typeof import('sharp')> | undefined;
const loadSharp = async () => (await (sharpModule ??= import('sharp'))).default;
import { ApiError, invalidField } from '../errors.ts';

export const AVATAR_SIZE = 512;
/** Decompression-bomb guard: a small file may still declare a huge canvas. 36 MP covers phone cameras. */
export const MAX_INPUT_PIXELS = 6000 * 6000;
const ENCODE_TIMEOUT_SECONDS = 15;
const AVATAR_DIR = 'avatars';
/** The only names `removeAvatar` touches; the same shape as the /media/ route in src/app.ts accepts. */
const AVATAR_NAME = /^avatars\/[A-Za-z0-9_-]{16,}\.webp$/;

type ImageFormat = 'jpeg' | 'png' | 'webp';

/** The format the leading bytes announce, or null when they are not JPEG, PNG or WebP. */
export function sniffImageFormat(head: Buffer): ImageFormat | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const unsupportedImage = () =>
  new ApiError(415, 'unsupported_image', 'Unsupported media type', 'The picture must be a JPEG, PNG or WebP image.', {
    errors: [{ in: 'body', path: 'picture', message: 'must be a JPEG, PNG or WebP image' }],
  });

/**
 * Decodes the upload and re-encodes it as a WebP of at most 512×512 without metadata.
 * Refuses (415) bytes that are not JPEG/PNG/WebP and (400) files that do not decode as the format
 * they announce, or that declare more than MAX_INPUT_PIXELS.
 */
export async function reencodeAvatar(file: string): Promise<Buffer> {
  const announced = sniffImageFormat(await readHead(file, 12));
  if (!announced) throw unsupportedImage();
  const sharp = await loadSharp();
  let metadata: Metadata;
  try {
    // Reads the header only (no pixels are decoded), so the canvas size can be judged first.
    metadata = await sharp(file, { limitInputPixels: false }).metadata();
  } catch {
    throw invalidField('picture', 'could not be read as an image');
  }
  if (metadata.format !== announced) throw unsupportedImage();
  if ((metadata.width ?? 0) * (metadata.height ?? 0) > MAX_INPUT_PIXELS) {
    throw invalidField('picture', `must have at most ${MAX_INPUT_PIXELS} pixels`);
  }
  try {
    // `failOn: 'warning'` refuses truncated or corrupt data that libvips would otherwise patch
    // over; the pixel limit is the decoder's own guard should the header lie.
    return await sharp(file, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', pages: 1 })
      .autoOrient()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .timeout({ seconds: ENCODE_TIMEOUT_SECONDS })
      .toBuffer();
  } catch {
    throw invalidField('picture', 'could not be decoded as an image');
  }
}

/** Writes a re-encoded avatar under `mediaRoot` with a fresh random name; returns `avatars/<name>.webp`. */
export async function writeAvatar(mediaRoot: string, image: Buffer): Promise<string> {
  const relative = `${AVATAR_DIR}/${crypto.randomBytes(18).toString('base64url')}.webp`;
  await fs.mkdir(path.join(mediaRoot, AVATAR_DIR), { recursive: true });
  // `wx`: never overwrite, however unlikely a collision of 144 random bits is.
  await fs.writeFile(path.join(mediaRoot, relative), image, { flag: 'wx' });
  return relative;
}

/** Checks, re-encodes and stores an uploaded picture; returns the value for `users.avatar`. */
export async function storeAvatar(mediaRoot: string, uploadedFile: string): Promise<string> {
  return writeAvatar(mediaRoot, await reencodeAvatar(uploadedFile));
}

/**
 * Deletes a stored avatar. Only names we generate are touched, so a stray value in `users.avatar`
 * can never point the deletion outside MEDIA_ROOT.
 */
export async function removeAvatar(mediaRoot: string, avatar: string | null): Promise<void> {
  if (!avatar || !AVATAR_NAME.test(avatar)) return;
  await fs.rm(path.join(mediaRoot, avatar), { force: true });
}
