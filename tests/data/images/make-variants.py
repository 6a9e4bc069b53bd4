# Writes the PNG and JPEG variants of tests/data/images (see its README).
import struct, zlib, sys
import numpy as np
from PIL import Image

out = sys.argv[1]
rng = np.random.default_rng(7)

def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)

def pack_row(vals, depth, ch):
    # vals: (w, ch) ints
    if depth == 16:
        return vals.astype('>u2').tobytes()
    if depth == 8:
        return vals.astype(np.uint8).tobytes()
    flat = vals.reshape(-1)
    per = 8 // depth
    b = bytearray((len(flat) + per - 1) // per)
    for i, v in enumerate(flat):
        b[i // per] |= int(v) << (8 - depth * (i % per + 1))
    return bytes(b)

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

def png(name, img, depth, ctype, interlace=False, plte=None, trns=None):
    h, w = img.shape[:2]
    ch = img.shape[2] if img.ndim == 3 else 1
    img = img.reshape(h, w, ch)
    raw = bytearray()
    if not interlace:
        for y in range(h):
            raw += b'\0' + pack_row(img[y], depth, ch)
    else:
        for x0, y0, dx, dy in ADAM7:
            sub = img[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            for y in range(sub.shape[0]):
                raw += b'\0' + pack_row(sub[y], depth, ch)
    d = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, int(interlace)))
    if plte is not None:
        d += chunk(b'PLTE', bytes(np.asarray(plte, np.uint8).reshape(-1)))
    if trns is not None:
        d += chunk(b'tRNS', trns)
    d += chunk(b'IDAT', zlib.compress(bytes(raw), 9)) + chunk(b'IEND', b'')
    open(f'{out}/{name}', 'wb').write(d)

def ramp(h, w, top):
    y, x = np.mgrid[0:h, 0:w]
    v = (x * 7 + y * 13 + rng.integers(0, 3, (h, w))) % (top + 1)
    return v

W, H = 37, 23
for depth in (1, 2, 4):
    png(f'grey-{depth}bit.png', ramp(H, W, 2**depth - 1), depth, 0)
png('grey-2bit-trns.png', ramp(H, W, 3), 2, 0, trns=struct.pack('>H', 1))
png('grey-1bit-interlaced.png', ramp(H, W, 1), 1, 0, interlace=True)
png('grey-16bit-trns.png', ramp(H, W, 65535) * 257 % 65536, 16, 0, trns=struct.pack('>H', 257 * 5))
pal = rng.integers(0, 256, (16, 3))
png('palette-4bit-trns.png', ramp(H, W, 15), 4, 3, plte=pal, trns=bytes([0, 128, 255, 17, 200]))
png('palette-4bit-interlaced.png', ramp(H, W, 15), 4, 3, interlace=True, plte=pal)
png('palette-1bit.png', ramp(H, W, 1), 1, 3, plte=[[10, 200, 30], [250, 240, 5]])
rgb = np.stack([ramp(H, W, 255), ramp(H, W, 255)[::-1], (ramp(H, W, 255) * 3) % 256], axis=2)
rgb[0, 0] = (12, 34, 56)
png('rgb-trns.png', rgb, 8, 2, trns=struct.pack('>HHH', 12, 34, 56))
rgb16 = rgb.astype(np.int64) * 257 + rng.integers(0, 257, rgb.shape)
png('rgb-16bit-trns.png', rgb16, 16, 2, trns=struct.pack('>HHH', *rgb16[0, 0]))
alpha16 = ramp(H, W, 65535)
png('grey-alpha-16bit-interlaced.png', np.stack([rgb16[..., 0], alpha16], axis=2), 16, 4, interlace=True)
png('rgba-16bit.png', np.concatenate([rgb16, alpha16[..., None]], axis=2), 16, 6)
for (w, h) in ((1, 1), (2, 3), (5, 1), (1, 9)):
    png(f'rgba-interlaced-{w}x{h}.png', np.concatenate([rgb[:h, :w], ramp(h, w, 255)[..., None]], axis=2), 8, 6, interlace=True)

# JPEG: the chroma subsamplings at an odd size, progressive grey and colour,
# CMYK with Adobe's inverted values and without the Adobe marker.
photo = np.clip(rgb.astype(float) * 0.6 + 50, 0, 255).astype(np.uint8)
im = Image.fromarray(photo, 'RGB')
for s, tag in ((0, '444'), (1, '422'), (2, '420')):
    im.save(f'{out}/rgb-{tag}.jpg', quality=85, subsampling=s)
im.save(f'{out}/rgb-420-progressive-odd.jpg', quality=85, subsampling=2, progressive=True)
im.convert('L').save(f'{out}/grey-progressive-odd.jpg', quality=85, progressive=True)
im.convert('CMYK').save(f'{out}/cmyk-adobe.jpg', quality=90)
d = open(f'{out}/cmyk-adobe.jpg', 'rb').read()
i = d.find(b'\xff\xee')
assert i > 0
n = struct.unpack('>H', d[i + 2:i + 4])[0]
open(f'{out}/cmyk-no-adobe.jpg', 'wb').write(d[:i] + d[i + 2 + n:])
# Progressive CMYK (libjpeg holds 8 bytes a pixel of coefficients): the
# photo's complements as C, M and Y and a ramp as K, Adobe's marker as PIL
# writes it.
cmyk = np.concatenate([255 - photo, (ramp(H, W, 255) // 2 + 60)[..., None]], axis=2)
Image.fromarray(cmyk.astype(np.uint8), 'CMYK').save(f'{out}/cmyk-progressive.jpg', quality=90,
                                                   progressive=True)
