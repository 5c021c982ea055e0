/**
 * The console's own logic that runs without a browser: messages (placeholders, plural forms, no
 * "1 things" in English), the provenance page's manifest field, where a refused call sends the user,
 * and residency's unknown home. Typechecked with the console's settings (DOM, JSX), run by Vitest.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/api-error.js';

describe('console messages', () => {
  it('pick plural forms by the language’s rules and fill placeholders', async () => {
    const { interpolate } = await import('../src/i18n/interpolate.js');
    const template = '{count, plural, =0 {no events} one {# event} other {# events}} in {place}';
    expect(interpolate(template, { count: 0, place: 'KR' })).toBe('no events in KR');
    expect(interpolate(template, { count: 1, place: 'KR' })).toBe('1 event in KR');
    expect(interpolate(template, { count: '1,204', place: 'KR' })).toBe('1,204 events in KR');
    const arabic = '{n, plural, zero {لا شيء} one {واحد} two {اثنان} few {# قليلة} many {# كثيرة} other {# أخرى}}';
    expect(interpolate(arabic, { n: 2 }, 'ar')).toBe('اثنان');
    expect(interpolate(arabic, { n: 3 }, 'ar')).toBe('3 قليلة');
    expect(interpolate(arabic, { n: 11 }, 'ar')).toBe('11 كثيرة');
    expect(interpolate('{missing} stays', {})).toBe('{missing} stays');
  });
});

describe('console messages that count things', () => {
  it('agree in number in English, and in Arabic for an eval run', async () => {
    const { translate } = await import('../src/i18n/messages.js');
    const { evalMessages } = await import('../src/pages/eval/messages.js');
    expect(translate(evalMessages, 'en', 'runSummary', { instances: 1, tasks: 1, endpoints: 1 })).toBe('1 instance, 1 task, 1 endpoint');
    expect(translate(evalMessages, 'en', 'runSummary', { instances: '1,200', tasks: 2, endpoints: 3 })).toBe('1,200 instances, 2 tasks, 3 endpoints');
    expect(translate(evalMessages, 'ar', 'runSummary', { instances: 2, tasks: 1, endpoints: 5 })).toBe('بندان، مهمة واحدة، 5 نقاط نهاية');
  });

  it('never say "1 things" in English: every placeholder filled with 1', async () => {
    const { translate } = await import('../src/i18n/messages.js');
    const modules = await Promise.all([
      import('../src/pages/audit/messages.js'),
      import('../src/pages/backends/messages.js'),
      import('../src/pages/eval/messages.js'),
      import('../src/pages/overview/messages.js'),
      import('../src/pages/playground/messages.js'),
      import('../src/pages/provenance/messages.js'),
      import('../src/pages/residency/messages.js'),
      import('../src/pages/safety/messages.js'),
      import('../src/pages/signin/messages.js'),
      import('../src/pages/tenants/messages.js'),
      import('../src/components/messages.js'),
    ]);
    const counted = /\b1 (instances|tasks|endpoints|events|leaves|bytes|hashes|errors|outputs|requests|tokens|keys|tenants|runs)\b/;
    let checked = 0;
    for (const module of modules) {
      for (const defined of Object.values(module)) {
        for (const [key, template] of Object.entries(defined.en as Record<string, string>)) {
          const names = [...template.matchAll(/\{(\w+)[,}]/g)].map((match) => match[1] as string);
          if (names.length === 0) continue;
          const text = translate(defined, 'en', key, Object.fromEntries(names.map((name) => [name, 1])));
          expect(text, `${key}: ${text}`).not.toMatch(counted);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe("the provenance page's manifest field", () => {
  const envelope = 'eyJhbGciOiJFZERTQSJ9.eyJyb290IjoieCJ9.c2lnbmF0dXJl~eyJpZCI6InByb3ZfMSJ9~0~1~';

  it('takes the envelope, or finds it in a pasted nara.provenance object (and says so)', async () => {
    const { readManifestInput } = await import('../src/pages/provenance/manifest-input.js');
    expect(readManifestInput('')).toEqual({ kind: 'none' });
    expect(readManifestInput(`  ${envelope}\n`)).toEqual({ kind: 'envelope', envelope, unwrapped: false });
    expect(readManifestInput(JSON.stringify({ id: 'prov_abc', manifest: envelope }))).toEqual({ kind: 'envelope', envelope, unwrapped: true });
    expect(readManifestInput(JSON.stringify({ nara: { provenance: { id: 'prov_abc', manifest: envelope } } }))).toEqual({ kind: 'envelope', envelope, unwrapped: true });
    expect(readManifestInput(JSON.stringify(envelope))).toEqual({ kind: 'envelope', envelope, unwrapped: true });
    expect(readManifestInput('eyJhbGciOiJFZERTQSJ9.eyJyb290IjoieCJ9.c2ln~eyJp~3~8~AAAA.BBBB')).toMatchObject({ kind: 'envelope' });
  });

  it('takes a provenance id (the x-nara-provenance header), and refuses anything else', async () => {
    const { readManifestInput } = await import('../src/pages/provenance/manifest-input.js');
    expect(readManifestInput('prov_01JABCDEF')).toEqual({ kind: 'id', id: 'prov_01JABCDEF' });
    expect(readManifestInput('{"id":"prov_01JABCDEF"}')).toEqual({ kind: 'id', id: 'prov_01JABCDEF' });
    for (const input of ['hello', '{"id":"prov_1","manifest":"not an envelope"}', '{not json', '[1,2]', 'eyJhbGciOiJFZERTQSJ9.eyJyb290IjoieCJ9.c2lnbmF0dXJl', `${envelope}~extra`]) {
      expect(readManifestInput(input), input).toEqual({ kind: 'invalid' });
    }
  });
});

describe('the console after a refused call', () => {
  it('sends the user to sign in, back to where they were, saying when the session ended', async () => {
    const { signInPath } = await import('../src/api/client.js');
    expect(signInPath('/audit', new ApiError('Your console session has ended: sign in again.', 401, 'session_expired', null))).toBe('/signin?next=%2Faudit&expired=1');
    expect(signInPath('/tenants/a b', new ApiError('Missing credentials', 401, 'missing_admin_token', null))).toBe('/signin?next=%2Ftenants%2Fa%20b');
  });
});

describe('residency without a home jurisdiction', () => {
  it('reads the server’s "??" (and older empty or "(none)") as no home, never as a place', async () => {
    const { isUnknownHome } = await import('../src/pages/residency/home.js');
    for (const code of ['??', '', '(none)', null, undefined]) expect(isUnknownHome(code), String(code)).toBe(true);
    for (const code of ['KR', 'SG']) expect(isUnknownHome(code)).toBe(false);
  });
});
