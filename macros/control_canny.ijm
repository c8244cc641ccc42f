// Canny edges of the current image as a ControlNet control image
// (Plugins > Diffusion > Control > Canny Edges...; ControlNet's default thresholds 100 / 200).
// Works on 8-bit, RGB (strongest channel per pixel) and 16/32-bit images (percentile-normalised).
// Without an open image it draws a small demo image first.
if (nImages == 0) {
    newImage("demo", "8-bit black", 160, 120, 1);
    setColor(200);
    fillOval(40, 30, 70, 50);
    setColor(90);
    fillRect(10, 10, 30, 90);
    setVoxelSize(0.5, 0.5, 1, "um");
}
source = getTitle();
run("Canny Edges...", "low=100 high=200 aperture=3 size=0 resize=fit multiple=64");
print("Canny edges of " + source + ": " + getTitle() + ", " + getWidth() + " x " + getHeight());
