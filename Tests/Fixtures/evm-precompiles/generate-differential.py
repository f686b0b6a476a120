#!/usr/bin/env python3
"""Writes the differential-*.json vectors: expected results computed here with plain Python
big-integer arithmetic (affine formulas, pow), independent of the Swift code under test.
Deterministic (fixed seed): rerunning gives the same files. Usage: python3 generate-differential.py"""
import json, random

p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
r = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001

def inv(a): return pow(a, p - 2, p)

def g1_add(P, Q):
    if P is None: return Q
    if Q is None: return P
    if P[0] == Q[0]:
        if (P[1] + Q[1]) % p == 0: return None
        l = 3 * P[0] * P[0] * inv(2 * P[1]) % p
    else:
        l = (Q[1] - P[1]) * inv(Q[0] - P[0]) % p
    x = (l * l - P[0] - Q[0]) % p
    return (x, (l * (P[0] - x) - P[1]) % p)

def f2_add(a, b): return ((a[0] + b[0]) % p, (a[1] + b[1]) % p)
def f2_sub(a, b): return ((a[0] - b[0]) % p, (a[1] - b[1]) % p)
def f2_mul(a, b): return ((a[0] * b[0] - a[1] * b[1]) % p, (a[0] * b[1] + a[1] * b[0]) % p)
def f2_inv(a):
    n = inv((a[0] * a[0] + a[1] * a[1]) % p)
    return (a[0] * n % p, (-a[1]) * n % p)

XI = (9, 1)
B2 = f2_mul((3, 0), f2_inv(XI))

def g2_add(P, Q):
    if P is None: return Q
    if Q is None: return P
    if P[0] == Q[0]:
        if f2_add(P[1], Q[1]) == (0, 0): return None
        l = f2_mul(f2_mul((3, 0), f2_mul(P[0], P[0])), f2_inv(f2_mul((2, 0), P[1])))
    else:
        l = f2_mul(f2_sub(Q[1], P[1]), f2_inv(f2_sub(Q[0], P[0])))
    x = f2_sub(f2_sub(f2_mul(l, l), P[0]), Q[0])
    return (x, f2_sub(f2_mul(l, f2_sub(P[0], x)), P[1]))

def mul(add, P, k):
    R = None
    while k:
        if k & 1: R = add(R, P)
        P = add(P, P)
        k >>= 1
    return R

def f2_sqrt(a):
    a0, a1 = a
    n = pow((a0 * a0 + a1 * a1) % p, (p + 1) // 4, p)
    for m in (n, (-n) % p):
        t = (a0 + m) * inv(2) % p
        x0 = pow(t, (p + 1) // 4, p)
        if x0 * x0 % p == t and x0 != 0:
            x1 = a1 * inv(2 * x0) % p
            if f2_mul((x0, x1), (x0, x1)) == a: return (x0, x1)
    return None

G1 = (1, 2)
G2 = ((10857046999023057135944570762232829481370756359578518086990519993285655852781,
       11559732032986387107991004021392285783925812861821192530917403151452391805634),
      (8495653923123431417604973247489272438418190587263600148770280649306958101930,
       4082367875863433681332203403145435568316851327593401208105741076214120093531))

def e1(P): return "00" * 64 if P is None else "%064x%064x" % P
def e2(P): return "%064x%064x%064x%064x" % (P[0][1], P[0][0], P[1][1], P[1][0])
def word(n): return "%064x" % n

def modexp_gas(bl, el, ml, head):
    words = (max(bl, ml) + 7) // 8
    it = head.bit_length() - 1 if head else 0
    if el > 32: it += 8 * (el - 32)
    return max(200, words * words * max(it, 1) // 3)

def main():
    random.seed(20261205)
    files = {}
    points = [None, G1] + [mul(g1_add, G1, random.getrandbits(random.choice([8, 64, 254]))) for _ in range(12)]
    adds = []
    for i in range(40):
        a = random.choice(points)
        b = random.choice(points + [a, None if a is None else (a[0], (-a[1]) % p)])
        adds.append({"Input": e1(a) + e1(b), "Expected": e1(g1_add(a, b)), "Gas": 150, "Name": "add-%d" % i})
    files["differential-bn256Add.json"] = adds
    muls = []
    for i in range(30):
        a = random.choice(points)
        k = random.choice([0, 1, 2, r - 1, r, r + 1, random.getrandbits(256), random.getrandbits(16)])
        muls.append({"Input": e1(a) + word(k), "Expected": e1(mul(g1_add, a, k)), "Gas": 6000, "Name": "mul-%d" % i})
    files["differential-bn256ScalarMul.json"] = muls
    pairings = []
    for i in range(6):
        a, b = random.getrandbits(200), random.getrandbits(200)
        c = (r - a * b % r) % r
        C = mul(g1_add, G1, c)
        holds = i % 2 == 0
        if not holds: C = g1_add(C, G1)
        pairings.append({"Input": e1(mul(g1_add, G1, a)) + e2(mul(g2_add, G2, b)) + e1(C) + e2(G2),
                         "Expected": word(1 if holds else 0), "Gas": 113000, "Name": "bilinear-%d" % i})
    failures = []
    found = 0
    while found < 8:
        x = (random.getrandbits(254) % p, random.getrandbits(254) % p)
        y = f2_sqrt(f2_add(f2_mul(f2_mul(x, x), x), B2))
        if y is None: continue
        found += 1
        P = (x, y)
        assert mul(g2_add, P, r) is not None
        failures.append({"Input": e1(None) + e2(P), "ExpectedError": "G2 point not in the subgroup",
                         "Name": "outside-subgroup-%d" % found})
        cleared = mul(g2_add, P, 2 * p - r)
        pairings.append({"Input": e1(None) + e2(cleared), "Expected": word(1), "Gas": 79000,
                         "Name": "cofactor-cleared-%d" % found})
    files["differential-bn256Pairing.json"] = pairings
    files["differential-fail-bn256Pairing.json"] = failures
    modexps = []
    for i in range(60):
        bl, el, ml = random.choice([0, 1, 2, 31, 32, 33, 64]), random.choice([0, 1, 2, 32, 33, 40]), random.choice([0, 1, 2, 32, 33, 64])
        body = bytes(random.getrandbits(8) for _ in range(bl + el + ml))
        if random.random() < 0.3: body = body[:random.randint(0, len(body))]
        if random.random() < 0.15: body = bytes(len(body))
        padded = body + bytes(bl + el + ml)
        base = int.from_bytes(padded[:bl], "big")
        e = int.from_bytes(padded[bl:bl + el], "big")
        m = int.from_bytes(padded[bl + el:bl + el + ml], "big")
        head = int.from_bytes(padded[bl:bl + min(el, 32)], "big")
        out = b"" if ml == 0 else (0 if m == 0 else pow(base, e, m)).to_bytes(ml, "big")
        modexps.append({"Input": (word(bl) + word(el) + word(ml)) + body.hex(), "Expected": out.hex(),
                        "Gas": modexp_gas(bl, el, ml, head), "Name": "modexp-%d-%d-%d-%d" % (i, bl, el, ml)})
    files["differential-modexp.json"] = modexps
    for name, cases in files.items():
        with open(name, "w") as f:
            json.dump(cases, f, indent=1)
            f.write("\n")

main()
