#!/bin/sh
# Writes the image target's seeds (tests/fuzz/seeds/image): small cuts of
# tests/data/real/images in every format Debian's gdk-pixbuf reads, with
# the variants that take different paths in its decoders and in
# fs-image.c (grey, palette, RGB, alpha, 16-bit, interlaced, progressive,
# run-length, compressed). 40 × 32 pixels each, so that a mutated header
# declares a small image and the fuzzer tries many inputs a second; the
# size checks are reached by mutating the header. Needs ImageMagick.
# Usage: tests/fuzz/seeds/make-image-seeds.sh
set -eu
cd "$(dirname "$0")"
real=../../data/real/images
out=image
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
# Without the PNG date chunks, so that the seeds come out the same each time.
convert() { command convert -define png:exclude-chunks=date,time "$@"; }

# Grey from the cameraman, colour from the coins under a gradient, and
# that colour with an alpha ramp.
convert "$real/skimage_camera.png" -resize 40x32! -depth 8 -type Grayscale "$tmp/grey.png"
convert "$real/skimage_coins.png" -resize 40x32! -colorspace sRGB \
  \( -size 40x32 gradient:'#ff8040'-'#2060ff' \) -compose multiply -composite \
  -depth 8 PNG24:"$tmp/rgb.png"
convert "$tmp/rgb.png" -alpha set -channel A -fx 'i/w' +channel PNG32:"$tmp/rgba.png"

convert "$tmp/grey.png" PNG8:"$out/grey-palette.png"
convert "$tmp/grey.png" -define png:color-type=0 "$out/grey.png"
convert "$tmp/grey.png" -depth 16 -define png:bit-depth=16 -define png:color-type=0 "$out/grey-16bit.png"
cp "$tmp/rgb.png" "$out/rgb.png"
cp "$tmp/rgba.png" "$out/rgba.png"
convert "$tmp/rgba.png" -interlace PNG "$out/rgba-interlaced.png"
convert "$tmp/rgb.png" -depth 16 PNG48:"$out/rgb-16bit.png"
convert "$tmp/grey.png" -alpha set -channel A -fx 'j/h' +channel -define png:color-type=4 "$out/grey-alpha.png"

convert "$tmp/rgb.png" -quality 80 "$out/rgb.jpg"
convert "$tmp/grey.png" -quality 80 "$out/grey.jpg"
convert "$tmp/rgb.png" -quality 80 -interlace JPEG "$out/rgb-progressive.jpg"
convert "$tmp/rgb.png" -quality 80 -colorspace CMYK "$out/cmyk.jpg"

convert "$tmp/rgb.png" "$out/rgb.gif"
convert "$tmp/rgba.png" -channel A -threshold 50% +channel -interlace GIF "$out/transparent-interlaced.gif"

convert "$tmp/rgb.png" BMP3:"$out/rgb.bmp"
convert "$tmp/rgba.png" BMP:"$out/rgba.bmp"
convert "$tmp/grey.png" -colors 16 -compress RLE BMP3:"$out/palette-rle.bmp"

convert "$tmp/rgb.png" "$out/rgb.tga"
convert "$tmp/rgba.png" -compress RLE "$out/rgba-rle.tga"

convert "$tmp/rgba.png" "$out/rgba.ico"

convert "$tmp/grey.png" PGM:"$out/grey.pgm"
convert "$tmp/rgb.png" PPM:"$out/rgb.ppm"
convert "$tmp/grey.png" -compress none PGM:"$out/grey-text.pgm"
convert "$tmp/grey.png" -threshold 50% PBM:"$out/bits.pbm"

convert "$tmp/rgb.png" -compress None "$out/rgb.tiff"
convert "$tmp/rgba.png" -compress LZW "$out/rgba-lzw.tiff"

convert "$tmp/grey.png" -threshold 50% "$out/bits.xbm"
convert "$tmp/rgb.png" -colors 16 "$out/palette.xpm"

cat >"$out/shapes.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="32">
<rect width="40" height="32" fill="#fff"/><circle cx="14" cy="16" r="10" fill="#4060c0"/>
<path d="M24 4 L38 28 L20 28 Z" fill="#c06040" fill-opacity="0.5"/></svg>
SVG
