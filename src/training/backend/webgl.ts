/**
 * WebGL for training: which renderer tfjs would get (hardware or software) and initialising the
 * webgl backend. See docs/backends.md.
 */
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../../shared/errors';
import type { BackendRequest } from '../run-types';
import type { Attempt } from './attempt';

/** Renderer strings of software WebGL implementations (Chromium's SwiftShader, Mesa's llvmpipe). */
const SOFTWARE_RENDERER_PATTERN = /swiftshader|llvmpipe|softpipe|software|basic render/i;
/** What a throwaway WebGL context says about the renderer tfjs would get. */
export interface WebglProbe {
  /** UNMASKED_RENDERER_WEBGL where the browser exposes it, else RENDERER; unset without WebGL. */
  renderer?: string;
  isSoftwareRenderer: boolean;
  /** Why there is no WebGL at all, when there is none. */
  unavailableReason?: string;
}

/** Whether a renderer string names a software rasteriser. */
export function isSoftwareRendererName(renderer: string): boolean {
  return SOFTWARE_RENDERER_PATTERN.test(renderer);
}

type ProbeCanvas = OffscreenCanvas | HTMLCanvasElement;

/** OffscreenCanvas (workers, and what tfjs itself uses for WebGL 2), else a DOM canvas. */
function createProbeCanvas(): ProbeCanvas | null {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  if (typeof document !== 'undefined') return document.createElement('canvas');
  return null;
}

function getProbeContext(
  canvas: ProbeCanvas,
  attributes: WebGLContextAttributes,
): WebGLRenderingContext | WebGL2RenderingContext | null {
  // The two canvas types have different getContext overloads; both accept these ids.
  const getContext = canvas.getContext.bind(canvas) as (
    id: 'webgl2' | 'webgl',
    attrs: WebGLContextAttributes,
  ) => WebGLRenderingContext | WebGL2RenderingContext | null;
  return getContext('webgl2', attributes) ?? getContext('webgl', attributes);
}

export function readRendererString(gl: WebGLRenderingContext | WebGL2RenderingContext): string {
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = debugInfo
    ? gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL)
    : gl.getParameter(gl.RENDERER);
  return typeof renderer === 'string' ? renderer : String(renderer);
}

/**
 * Reads the renderer from throwaway contexts and releases them. A context refused with
 * `failIfMajorPerformanceCaveat` (what tfjs asks for by default) also counts as software.
 */
export function probeWebgl(): WebglProbe {
  const canvas = createProbeCanvas();
  if (canvas === null) {
    return { isSoftwareRenderer: false, unavailableReason: 'no OffscreenCanvas or document' };
  }
  try {
    const gl = getProbeContext(canvas, { failIfMajorPerformanceCaveat: false });
    if (gl === null) return { isSoftwareRenderer: false, unavailableReason: 'no WebGL context' };
    const renderer = readRendererString(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();

    // A canvas holds one context type for life, so the caveat check needs a fresh canvas.
    const strictCanvas = createProbeCanvas();
    const strict =
      strictCanvas && getProbeContext(strictCanvas, { failIfMajorPerformanceCaveat: true });
    strict?.getExtension('WEBGL_lose_context')?.loseContext();
    return { renderer, isSoftwareRenderer: isSoftwareRendererName(renderer) || !strict };
  } catch (error) {
    return {
      isSoftwareRenderer: false,
      unavailableReason: `WebGL probe failed: ${errorMessage(error)}`,
    };
  }
}

/** tfjs's own WebGL context, when the webgl backend is active (not part of tfjs's typings). */
export function activeWebglContext(): WebGLRenderingContext | WebGL2RenderingContext | undefined {
  const backend = tf.backend() as unknown as {
    gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
  };
  return backend.gpgpu?.gl;
}

export async function tryWebgl(request: BackendRequest): Promise<Attempt> {
  if (tf.findBackendFactory('webgl') === null) {
    return { ok: false, why: 'WebGL: tfjs registers its webgl backend only in browsers' };
  }
  const probe = probeWebgl();
  if (probe.unavailableReason !== undefined) {
    return { ok: false, why: `WebGL: ${probe.unavailableReason}` };
  }
  if (probe.isSoftwareRenderer) {
    if (!request.allowSoftwareWebgl) {
      return {
        ok: false,
        why: `WebGL: renderer "${probe.renderer}" is software and software WebGL is not allowed`,
      };
    }
    // Without it tfjs asks for failIfMajorPerformanceCaveat and gets no context at all.
    tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  }
  if (!(await tf.setBackend('webgl'))) {
    return { ok: false, why: `WebGL: tfjs could not initialise on renderer "${probe.renderer}"` };
  }
  const gl = activeWebglContext();
  const renderer = gl ? readRendererString(gl) : probe.renderer;
  const isSoftwareRenderer = probe.isSoftwareRenderer || isSoftwareRendererName(renderer ?? '');
  return {
    ok: true,
    details: { renderer, isSoftwareRenderer },
    note: `WebGL on ${isSoftwareRenderer ? 'software' : 'hardware'} renderer "${renderer}"`,
  };
}
