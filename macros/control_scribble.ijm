// Scribble control image: the ROI Manager's selections (or, without one, the image's own
// selection) drawn as white strokes on black (Plugins > Diffusion > Control > Scribble from ROIs...):
// straight, segmented and freehand lines as paths, areas as outlines.
// Without an open image it makes a blank canvas with a segmented-line stroke first.
if (nImages == 0) {
    newImage("canvas", "8-bit white", 128, 96, 1);
    makeLine(10, 80, 60, 20, 118, 70, 118, 10, 20, 10);
}
source = getTitle();
run("Scribble from ROIs...", "width=3 size=0 resize=fit multiple=64");
print("Scribble of " + source + ": " + getTitle());
