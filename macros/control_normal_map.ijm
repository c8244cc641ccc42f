// Normal map (ControlNet 1.0's normal annotator) from the current depth image, larger = nearer
// (Plugins > Diffusion > Control > Normal Map...). Pixels whose normalised depth is below
// "background" are flat (127, 127, 255).
// Without an open image it makes a depth image with a dome on a flat floor first.
if (nImages == 0) {
    w = 96; h = 64;
    newImage("dome", "32-bit black", w, h, 1);
    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            d2 = (x - 48) * (x - 48) + (y - 32) * (y - 32);
            setPixel(x, y, 10 * exp(-d2 / 300));
        }
    }
}
source = getTitle();
run("Normal Map...", "strength=6.2832 background=0.4 size=0 resize=fit multiple=64");
print("Normal map of " + source + ": " + getTitle());
