// Inpainting mask (255 = repaint) from the current area selection, or from every area in the
// ROI Manager, grown by 4 px and feathered by 2 px
// (Plugins > Diffusion > Control > Mask from Selection...).
// Without an open image it makes an image with an oval selection first.
if (nImages == 0) {
    newImage("photo", "RGB black", 128, 96, 1);
    makeOval(30, 20, 60, 40);
}
source = getTitle();
run("Mask from Selection...", "grow=4 feather=2 size=0 resize=fit multiple=64");
print("Mask of " + source + ": " + getTitle());
