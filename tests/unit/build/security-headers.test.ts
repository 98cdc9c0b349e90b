/**
 * The headers `npm run dev` and `npm run preview` send (vite.config.ts), which the README tells
 * hosts to send too: cross-origin isolation and a strict Content-Security-Policy whose one
 * outside origin is the dataset host the download code uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import viteConfig from '../../../vite.config';
import { resolveConfig } from 'vite';
import {
  contentSecurityPolicyHeader,
  createDevServerNonce,
} from '../../../build/content-security-policy.mjs';
import { OFFICIAL_DATASET, OFFICIAL_DATASET_ORIGIN } from '../../../src/data/dataset-download';
import { PROJECT_ROOT } from '../../support/fixtures';

const VITE_CONFIG = join(PROJECT_ROOT, 'vite.config.ts');

/** Directive → sources of a policy header. */
function directives(header: string): Map<string, string[]> {
  return new Map(
    header.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

/** The production policy, as `npm run preview` and hosting send it. */
const policy = directives(contentSecurityPolicyHeader());

describe('the Content-Security-Policy', () => {
  it('allows no eval and no inline script or style; WebAssembly only through wasm-unsafe-eval', () => {
    const all = [...policy.values()].flat();
    expect(all).not.toContain("'unsafe-eval'");
    expect(all).not.toContain("'unsafe-inline'");
    expect(all.some((source) => source.startsWith("'nonce-"))).toBe(false);
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
  });

  it('connects only to the app itself and the host of the opt-in download', () => {
    expect(policy.get('connect-src')).toEqual(["'self'", OFFICIAL_DATASET_ORIGIN]);
    for (const file of OFFICIAL_DATASET.files) {
      expect(new URL(file.url).origin).toBe(OFFICIAL_DATASET_ORIGIN);
    }
  });

  it('shuts plugins, base rewriting, framing and form posts', () => {
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });
});

describe('what the servers send', () => {
  it('preview: the production policy beside COOP/COEP', () => {
    expect(viteConfig.preview?.headers).toEqual({
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Content-Security-Policy': contentSecurityPolicyHeader(),
    });
  });

  it('dev: the same policy, plus a nonce new at each start, for scripts and styles only', async () => {
    /** What one start of `npm run dev` resolves: the nonce Vite injects and the headers sent. */
    const devServerStart = async () => {
      const config = await resolveConfig({ configFile: VITE_CONFIG, logLevel: 'silent' }, 'serve');
      return {
        nonce: config.html?.cspNonce ?? '',
        headers: config.server.headers as Record<string, string>,
      };
    };
    const first = await devServerStart();
    const second = await devServerStart();
    // 128 random bits in base64, different at each start: nothing a page could know ahead.
    expect(first.nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.nonce).not.toBe(first.nonce);
    for (const { nonce, headers } of [first, second]) {
      expect(headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
      const dev = directives(headers['Content-Security-Policy']);
      for (const [name, sources] of policy) {
        const withNonce = name === 'script-src' || name === 'style-src';
        expect(dev.get(name), name).toEqual(withNonce ? [...sources, `'nonce-${nonce}'`] : sources);
      }
    }
  });

  it('preview and build resolve no nonce', async () => {
    const preview = await resolveConfig(
      { configFile: VITE_CONFIG, logLevel: 'silent' },
      'serve',
      'production',
      'production',
      true,
    );
    expect(preview.html?.cspNonce).toBeUndefined();
    expect(preview.preview.headers).toEqual(viteConfig.preview?.headers);
    const build = await resolveConfig({ configFile: VITE_CONFIG, logLevel: 'silent' }, 'build');
    expect(build.html?.cspNonce).toBeUndefined();
  });

  it('the nonce maker gives 128 fresh bits each call', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createDevServerNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});

describe('the README', () => {
  it('tells hosts the very headers the servers send', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const hosting = readme.slice(readme.indexOf('## Hosting'));
    const header = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(hosting)?.[1];
    for (const [name, value] of Object.entries(viteConfig.preview?.headers ?? {})) {
      expect(header(name), name).toBe(value);
    }
  });
});
