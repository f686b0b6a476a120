"""A minimal BOLT 8 (Noise_XK_secp256k1_ChaChaPoly_SHA256) initiator, written from the spec for
tests that must complete a real handshake with a node and then misbehave. Not for production."""
import hashlib
import os
import socket
import struct

from Crypto.Cipher import ChaCha20_Poly1305

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return x, (lam * (a[0] - x) - a[1]) % P


def _mul(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def compress(point):
    return bytes([2 + (point[1] & 1)]) + point[0].to_bytes(32, "big")


def decompress(data):
    x = int.from_bytes(data[1:], "big")
    y = pow((x * x * x + 7) % P, (P + 1) // 4, P)
    if y & 1 != data[0] & 1:
        y = P - y
    return x, y


def public_key(secret: int) -> bytes:
    return compress(_mul(secret, G))


def _ecdh(secret: int, pub: bytes) -> bytes:
    return hashlib.sha256(compress(_mul(secret, decompress(pub)))).digest()


def _hkdf(salt: bytes, ikm: bytes):
    import hmac
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    t1 = hmac.new(prk, b"\x01", hashlib.sha256).digest()
    t2 = hmac.new(prk, t1 + b"\x02", hashlib.sha256).digest()
    return t1, t2


def _nonce(n: int) -> bytes:
    return b"\x00" * 4 + struct.pack("<Q", n)


def _encrypt(key, n, ad, plaintext):
    c = ChaCha20_Poly1305.new(key=key, nonce=_nonce(n))
    c.update(ad)
    ct, tag = c.encrypt_and_digest(plaintext)
    return ct + tag


def _decrypt(key, n, ad, data):
    c = ChaCha20_Poly1305.new(key=key, nonce=_nonce(n))
    c.update(ad)
    return c.decrypt_and_verify(data[:-16], data[-16:])


class Session:
    """An initiator that has completed acts one to three with `remote_pub` at (host, port)."""

    def __init__(self, host, port, local_secret: int, remote_pub: bytes, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        h = hashlib.sha256(b"Noise_XK_secp256k1_ChaChaPoly_SHA256").digest()
        ck = h
        h = hashlib.sha256(h + b"lightning").digest()
        h = hashlib.sha256(h + remote_pub).digest()
        e = int.from_bytes(os.urandom(32), "big") % (N - 1) + 1
        e_pub = public_key(e)
        h = hashlib.sha256(h + e_pub).digest()
        ck, temp_k1 = _hkdf(ck, _ecdh(e, remote_pub))
        c = _encrypt(temp_k1, 0, h, b"")
        h = hashlib.sha256(h + c).digest()
        self.sock.sendall(b"\x00" + e_pub + c)
        act2 = self._read(50)
        re, c = act2[1:34], act2[34:]
        h = hashlib.sha256(h + re).digest()
        ck, temp_k2 = _hkdf(ck, _ecdh(e, re))
        _decrypt(temp_k2, 0, h, c)
        h = hashlib.sha256(h + c).digest()
        c = _encrypt(temp_k2, 1, h, public_key(local_secret))
        h = hashlib.sha256(h + c).digest()
        ck, temp_k3 = _hkdf(ck, _ecdh(local_secret, re))
        t = _encrypt(temp_k3, 0, h, b"")
        self.sk, self.rk = _hkdf(ck, b"")
        self.sn = 0
        self.sock.sendall(b"\x00" + c + t)

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed by the node")
            data += chunk
        return data

    def send_frame(self, body: bytes):
        """One BOLT 8 frame (no key rotation: tests send few messages)."""
        header = _encrypt(self.sk, self.sn, b"", struct.pack(">H", len(body)))
        payload = _encrypt(self.sk, self.sn + 1, b"", body)
        self.sn += 2
        self.sock.sendall(header + payload)

    def closed_by_peer(self, timeout=30) -> bool:
        """True once the node has closed the connection (reading whatever it sent first)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
