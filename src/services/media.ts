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
/** libvips threads per image, applied when sharp loads (configureImageThreads). */
let imageThreads = 0;
const loadSharp = async () =>
  (
    await (sharpModule ??= import('sharp').then((module) => {
      if (imageThreads > 0) module.default.concurrency(imageThreads);
      module.default.cache(false);
      return module;
    }))
  ).default;
import { ApiError, invalidField } from '../errors.ts';
import type { ImageJobs } from '../lib/imageJobs.ts';

export const AVATAR_SIZE = 512;
/**
 * Decompression-bomb guard: a small file may still declare a huge canvas (IMAGE_MAX_PIXELS). 25 MP
 * covers the photos people use as avatars; decoding one takes about 100 MB and a few hundred ms.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 25_000_000;
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
 * they announce, or that declare more than `maxPixels`.
 */
export async function reencodeAvatar(file: string, maxPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<Buffer> {
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
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  if (pixels > maxPixels) {
    throw new ApiError(400, 'image_too_large', 'Image too large', `The picture is ${metadata.width}×${metadata.height} pixels; at most ${maxPixels} pixels are accepted.`, {
      errors: [{ in: 'body', path: 'picture', message: `must have at most ${maxPixels} pixels (width × height)` }],
    });
  }
  try {
    // `failOn: 'warning'` refuses truncated or corrupt data that libvips would otherwise patch
    // over; the pixel limit is the decoder's own guard should the header lie.
    return await sharp(file, { limitInputPixels: maxPixels, failOn: 'warning', pages: 1 })
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

/** How uploads are processed: the pixel limit, and the job limiter with the uploading user. */
export interface ImageWork {
  jobs: ImageJobs;
  owner: number;
  maxPixels: number;
}

/**
 * Checks, re-encodes and stores an uploaded picture; returns the value for `users.avatar`. With
 * `work`, the decoding runs as one of the owner's image jobs (429 when over the limits).
 */
export async function storeAvatar(mediaRoot: string, uploadedFile: string, work?: ImageWork): Promise<string> {
  const image = work
    ? await work.jobs.run(work.owner, () => reencodeAvatar(uploadedFile, work.maxPixels))
    : await reencodeAvatar(uploadedFile);
  return writeAvatar(mediaRoot, image);
}

/**
 * libvips threads per image (0: sharp's default, one per core). One thread per image keeps a burst
 * of uploads from taking every core; the number of images at once is bounded by ImageJobs. Also
 * turns off sharp's operation cache: uploads are never processed twice, so it only holds memory.
 * Both take effect when sharp is first loaded (on the first picture).
 */
export function configureImageThreads(threads: number): void {
  imageThreads = threads;
}

/**
 * Deletes a stored avatar. Only names we generate are touched, so a stray value in `users.avatar`
 * can never point the deletion outside MEDIA_ROOT.
 */
export async function removeAvatar(mediaRoot: string, avatar: string | null): Promise<void> {
  if (!avatar || !AVATAR_NAME.test(avatar)) return;
  await fs.rm(path.join(mediaRoot, avatar), { force: true });
}
