import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr, type Cidr } from '../../environments/cidr.ts';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('parseCidr', () => {
  it('parses network addresses', () => {
    expect(cidr('10.12.0.0/16')).toEqual({ text: '10.12.0.0/16', base: (10 * 256 + 12) * 65536, prefix: 16 });
    expect(cidr('0.0.0.0/0').base).toBe(0);
  });
  it('rejects malformed blocks with a reason', () => {
    expect(parseCidr('10.0.0.0')).toMatch(/not an IPv4 CIDR/);
    expect(parseCidr('10.0.0.256/24')).toMatch(/octet above 255/);
    expect(parseCidr('10.0.0.0/33')).toMatch(/prefix length above 32/);
    expect(parseCidr('10.0.0.8/28')).toBe('"10.0.0.8/28" has host bits set; the network address is 10.0.0.0/28');
  });
});

describe('cidrsOverlap', () => {
  it('detects containment and adjacency correctly', () => {
    expect(cidrsOverlap(cidr('10.0.0.0/8'), cidr('10.20.0.0/16'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/16'), cidr('10.1.0.0/16'))).toBe(false);
    expect(cidrsOverlap(cidr('172.16.0.0/28'), cidr('172.16.0.16/28'))).toBe(false);
    expect(cidrsOverlap(cidr('172.16.0.0/27'), cidr('172.16.0.16/28'))).toBe(true);
  });
});
