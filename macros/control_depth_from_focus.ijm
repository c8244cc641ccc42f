// Depth from focus: a depth control image (near = bright) from the current focus series
// (Plugins > Diffusion > Control > Depth from Focus...). In a hyperstack the z slices at the
// current channel and frame are used. "near" says which end of the stack faces the viewer.
// Without an open image it synthesises a small focus series first: a random texture that is
// sharp at slice 1 on the left and at slice 5 on the right, increasingly blurred elsewhere.
if (nImages == 0) {
    w = 64; h = 40; slices = 7;
    newImage("focus series", "32-bit black", w, h, slices);
    texture = newArray(w * h);
    random("seed", 42);
    for (i = 0; i < w * h; i++) texture[i] = random();
    for (z = 0; z < slices; z++) {
        setSlice(z + 1);
        for (y = 0; y < h; y++) {
            for (x = 0; x < w; x++) {
                if (x < w / 2) r = abs(z - 1); else r = abs(z - 5);
                sum = 0; n = 0;
                for (dy = -r; dy <= r; dy++) {
                    for (dx = -r; dx <= r; dx++) {
                        xx = minOf(w - 1, maxOf(0, x + dx)); yy = minOf(h - 1, maxOf(0, y + dy));
                        sum += texture[yy * w + xx]; n++;
                    }
                }
                setPixel(x, y, sum / n);
            }
        }
    }
    setVoxelSize(0.2, 0.2, 1.5, "um");
}
source = getTitle();
run("Depth from Focus...", "window=9 smoothing=8 near=[last slice] size=0 resize=fit multiple=64");
print("Depth of " + source + ": " + getTitle());
