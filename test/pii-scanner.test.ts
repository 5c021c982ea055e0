/**
 * The PII scanner on sentences of each language, with numbers glued to local script, in every
 * digit script, with exact offsets; the hard negatives it must leave alone; and hostile input.
 */
import { describe, expect, it } from 'vitest';
import { jpMyNumber } from '../src/pii/check-digits.js';
import { scan, type Entity, type EntityType } from '../src/pii/scanner.js';

function only(text: string, type: EntityType): Entity {
  const found = scan(text).filter((entity) => entity.type === type);
  expect(found, `${type} in ${text}`).toHaveLength(1);
  const entity = found[0] as Entity;
  expect(text.slice(entity.start, entity.end)).toBe(entity.text);
  return entity;
}

describe('scan finds each type in its own language', () => {
  const cases: [string, EntityType, string, boolean, number][] = [
    ['주민번호971013-9019902입니다', 'KR_RRN', '971013-9019902', true, 0.9],
    ['주민등록번호: 050505-3123045 (2020년 이후 발급)', 'KR_RRN', '050505-3123045', false, 0.85],
    ['외국인등록번호 850101-5678901 입니다', 'KR_ARN', '850101-5678901', true, 0.9],
    ['사업자등록번호 116-82-00276 으로 발행해 주세요', 'KR_BRN', '116-82-00276', true, 0.9],
    ['여권번호는 M123A4567 입니다', 'KR_PASSPORT', 'M123A4567', false, 0.85],
    ['운전면허 11-19-123456-01', 'KR_DRIVER_LICENSE', '11-19-123456-01', false, 0.85],
    ['เลขบัตรประชาชน3100600445635ครับ', 'TH_ID', '3100600445635', true, 0.9],
    ['เลขบัตรประชาชน 3-1006-00445-63-5 ค่ะ', 'TH_ID', '3-1006-00445-63-5', true, 0.9],
    ['NIK saya 3171011708450001, tolong dicek', 'ID_NIK', '3171011708450001', false, 0.85],
    ['Số CCCD của tôi là 020093001656 nhé', 'VN_CCCD', '020093001656', false, 0.85],
    ['PhilSys PCN 1234-5678-9012-3456 po', 'PH_PCN', '1234-5678-9012-3456', false, 0.85],
    ['My TIN is 123-456-782 po', 'PH_TIN', '123-456-782', true, 0.9],
    ['NRIC S8076606H, please', 'SG_NRIC', 'S8076606H', true, 0.9],
    ['رقم الهوية ١٠٠٠٠٠٠٠٠٨ شكرا', 'SA_NID', '١٠٠٠٠٠٠٠٠٨', true, 0.9],
    ['رقم الهوية۱۰۰۰۰۰۰۰۰۸', 'SA_NID', '۱۰۰۰۰۰۰۰۰۸', true, 0.9],
    ['Emirates ID 784-1968-6570305-0', 'AE_EID', '784-1968-6570305-0', true, 0.9],
    ['マイナンバーは６２１４ ９８３２ ０２５７です', 'JP_MY_NUMBER', '６２１４ ９８３２ ０２５７', true, 0.9],
    ['card 4111 1111 1111 1111 exp 12/29', 'CREDIT_CARD', '4111 1111 1111 1111', true, 0.9],
    ['IBAN DE89 3704 0044 0532 0130 00 bitte', 'IBAN', 'DE89 3704 0044 0532 0130 00', true, 0.9],
  ];
  it.each(cases)('%s → %s', (text, type, value, validated, minimum) => {
    const entity = only(text, type);
    expect(entity.text).toBe(value);
    expect(entity.validated).toBe(validated);
    expect(entity.score).toBeGreaterThanOrEqual(minimum);
  });

  it('scores structure-only identifiers low without a context word', () => {
    expect(only('ref 3171011708450001', 'ID_NIK').score).toBeLessThan(0.85);
    expect(only('050505-3123045', 'KR_RRN').score).toBeLessThan(0.85);
  });
});

describe('phones, e-mail and IP addresses', () => {
  const phones: [string, string, string | undefined][] = [
    ['휴대폰 010-1234-5678로 연락주세요', '010-1234-5678', 'KR'],
    ['연락처02-312-3456입니다', '02-312-3456', 'KR'],
    ['เบอร์โทร 081-234-5678 ครับ', '081-234-5678', 'TH'],
    ['nomor HP 0812-3456-7890', '0812-3456-7890', 'ID'],
    ['số điện thoại 0912 345 678', '0912 345 678', 'VN'],
    ['call me po 0917 123 4567', '0917 123 4567', 'PH'],
    ['phone +65 9123 4567', '+65 9123 4567', 'SG'],
    ['جوال +966 50 123 4567', '+966 50 123 4567', 'SA'],
    ['+971 50 123 4567', '+971 50 123 4567', 'AE'],
    ['電話は090-1234-5678です', '090-1234-5678', 'JP'],
    ['tel +82 10-1234-5678', '+82 10-1234-5678', 'KR'],
  ];
  it.each(phones)('%s', (text, value, country) => {
    const entity = only(text, 'PHONE');
    expect(entity.text).toBe(value);
    expect(entity.country).toBe(country);
  });

  it('finds e-mail and IPv4/IPv6 addresses', () => {
    expect(only('メールは taro.yamada@example.co.jp まで。', 'EMAIL').text).toBe('taro.yamada@example.co.jp');
    const ips = scan('from 192.168.0.1 and 2001:db8::1, not 256.1.1.1').filter((entity) => entity.type === 'IP_ADDRESS');
    expect(ips.map((entity) => entity.text)).toEqual(['192.168.0.1', '2001:db8::1']);
  });
});

describe('hard negatives', () => {
  it.each([
    ['dates', '회의는 2026-11-22 14:30 입니다'],
    ['amounts', 'Total: 1,234,567.89 THB'],
    ['order numbers', 'Order ORD-20261122-0001 shipped'],
    ['a Thai ID with a wrong check digit', 'เลขบัตรประชาชน 3100600445636'],
    ['a time', 'at 12:30:45'],
  ])('%s', (_name, text) => {
    expect(scan(text)).toEqual([]);
  });
});

it('does not report a 16-digit number failing Luhn as a card', () => {
  expect(scan('card 4111 1111 1111 1112').filter((entity) => entity.type === 'CREDIT_CARD')).toEqual([]);
});

describe('bad input', () => {
  it('returns nothing for empty input and does not throw on lone surrogates', () => {
    expect(scan('')).toEqual([]);
    expect(() => scan('\ud800971013-9019902\udc00 \udfff\ud83d')).not.toThrow();
    const entity = only('\ud800971013-9019902\udc00', 'KR_RRN');
    expect(entity.start).toBe(1);
  });

  it('scans a 10 MB single line of digits and separators quickly', () => {
    const unit = '1234-5678 90.12 3456 7 ';
    const text = unit.repeat(Math.ceil((10 * 1024 * 1024) / unit.length));
    const started = performance.now();
    scan(text);
    // A guard against quadratic scans (hours on this input), not a speed target: room for loaded CI.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('scans 1 MB of repeated separators quickly', () => {
    const text = '- '.repeat(512 * 1024);
    const started = performance.now();
    expect(scan(text)).toEqual([]);
    expect(scan('1' + text + '1')).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

/** `digits` completed with the check digit `validate` accepts. */
function withCheckDigit(stem: string, validate: (value: string) => { valid: boolean }): string {
  for (let digit = 0; digit <= 9; digit += 1) if (validate(stem + String(digit)).valid) return stem + String(digit);
  throw new Error(`no check digit for ${stem}`);
}

function typed(text: string): [EntityType, string][] {
  return scan(text).map((entity) => [entity.type, entity.text]);
}

const fullWidth = (value: string): string => value.replace(/[0-9A-Za-z]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));

describe('regressions from the labelled corpus', () => {
  it('reads the Vietnamese CCCD in its 3-3-6 grouping', () => {
    expect(typed('CCCD: 046.089.466807 cảm ơn')).toEqual([['VN_CCCD', '046.089.466807']]);
  });

  it('reads a compact Korean driver licence only after its context word, and knows the region codes', () => {
    expect(typed('면허번호 236943298502로 연락 주세요')).toEqual([['KR_DRIVER_LICENSE', '236943298502']]);
    expect(typed('ref 236943298502').filter(([type]) => type === 'KR_DRIVER_LICENSE')).toEqual([]);
    expect(typed('운전면허 27-41-379938-68')).toEqual([]);
  });

  it('reads lettered identifiers in full-width and other digit scripts', () => {
    expect(typed(`여권번호 ${fullWidth('M10848341')}`)).toEqual([['KR_PASSPORT', fullWidth('M10848341')]]);
    expect(typed('رقم O۵۵۴۸۲۶۱۷')).toEqual([['KR_PASSPORT', 'O۵۵۴۸۲۶۱۷']]);
    expect(typed(`ID番号${fullWidth('S8076606H')}、`)).toEqual([['SG_NRIC', fullWidth('S8076606H')]]);
    expect(typed('nric s8076606h')).toEqual([['SG_NRIC', 's8076606h']]);
    expect(typed('NRIC T๕๖๑๕๖๐๕J').map(([type]) => type)).toEqual(scan('NRIC T5615605J').map((entity) => entity.type));
    expect(typed(`IBAN ${fullWidth('DE89 3704 0044 0532 0130 00')}`)).toEqual([['IBAN', fullWidth('DE89 3704 0044 0532 0130 00')]]);
  });

  it('keeps a card found inside an IBAN out, and a trailing word out of an IBAN', () => {
    expect(typed('IBAN DE89 3704 0044 0532 0130 00 EUR')).toEqual([['IBAN', 'DE89 3704 0044 0532 0130 00']]);
  });

  it('reads IPv6 after a label colon, and a dotted quad as an IP rather than a TIN', () => {
    expect(typed('IP:2001:db8::b785:8d3e:b57e')).toEqual([['IP_ADDRESS', '2001:db8::b785:8d3e:b57e']]);
    expect(typed('IPアドレス:2403:6200::39d7:d21a:7893')).toEqual([['IP_ADDRESS', '2403:6200::39d7:d21a:7893']]);
    expect(typed('client ip: 180.141.211.252')).toEqual([['IP_ADDRESS', '180.141.211.252']]);
    expect(typed('the fade and cafe are bad beef, deed: done')).toEqual([]);
  });

  it('keeps the groups after a calling code in the phone, but reads a number after a whole E.164 phone', () => {
    expect(typed('+84 328-633-410')).toEqual([['PHONE', '+84 328-633-410']]);
    expect(typed('جوال +971555255727 784196865703050')).toEqual([
      ['PHONE', '+971555255727'],
      ['AE_EID', '784196865703050'],
    ]);
    expect(typed('เบอร์โทร +6622490658 35,716 บาท')).toEqual([['PHONE', '+6622490658']]);
  });

  it('gives a context word to the nearest number only', () => {
    expect(typed('CCCD: 067.088.887073; SĐT 081233842449')).toEqual([
      ['VN_CCCD', '067.088.887073'],
      ['PHONE', '081233842449'],
    ]);
    expect(scan('identity check mobile=0812 5551 3222').map((entity) => entity.type)).toEqual(['PHONE']);
    expect(scan('mail a_s73@example.id no. HP: 081361426545').map((entity) => entity.type)).toEqual(['EMAIL', 'PHONE']);
  });

  it('reads CSV context from the column header', () => {
    expect(typed('name,driver licence,phone\nKim,120126149663,010-1234-5678')).toEqual([
      ['KR_DRIVER_LICENSE', '120126149663'],
      ['PHONE', '010-1234-5678'],
    ]);
  });

  it('reads a card beside other tokens, and not into a date', () => {
    expect(typed('card 4111 1111 1111 1111 5419-5353-1268').filter(([type]) => type === 'CREDIT_CARD')).toEqual([['CREDIT_CARD', '4111 1111 1111 1111']]);
    expect(typed('card number: 4111-1111-1111-1111 18/05/2017')).toEqual([['CREDIT_CARD', '4111-1111-1111-1111']]);
  });

  it('reports a PhilSys card number only with its context word', () => {
    expect(typed('ref 5571927329822534')).toEqual([]);
    expect(typed('PCN 5571 9273 2982 2534')).toEqual([['PH_PCN', '5571 9273 2982 2534']]);
  });

  it('reads Singapore numbers written without +65', () => {
    expect(typed('tel: 9676-1629')).toEqual([['PHONE', '9676-1629']]);
    expect(typed('WA: 61912081')).toEqual([['PHONE', '61912081']]);
    expect(typed('total 61912081')).toEqual([]);
    expect(typed('P/N 13 6189 9570')).toEqual([]);
  });

  it('reads no phone inside an identifier-shaped row', () => {
    expect(typed('ref 3 0768 44660 92 1').filter(([type]) => type === 'PHONE')).toEqual([]);
  });

  it('reads digits that are both a phone and a weakly checked ID by the words and script around', () => {
    const myNumber = withCheckDigit('08236831913', jpMyNumber);
    const grouped = `${myNumber.slice(0, 4)}-${myNumber.slice(4, 8)}-${myNumber.slice(8)}`;
    expect(typed(`WA: ${grouped}`)).toEqual([['PHONE', grouped]]);
    expect(typed(`氏名：山田太郎\n${grouped}`)).toEqual([['JP_MY_NUMBER', grouped]]);
  });
});
