// Teach a new token from ROI crops (Plugins > Diffusion > Train > Textual Inversion...): each ROI
// of the ROI Manager (headless, or without it: of the image's overlay) is one training image, its
// name its caption. Without an open image with an overlay it makes one with two named rectangles.
// The model: the macro argument, else the model last used; the embedding is written into the first
// model folder of Settings..., usable in prompts by its name.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
// The macro language evaluates both sides of ||: Overlay.size needs an image, so ask in two steps.
hasOverlay = false;
if (nImages > 0) hasOverlay = Overlay.size > 0;
if (!hasOverlay) {
    newImage("specimens", "RGB black", 128, 64, 1);
    setColor("#f5821e");
    fillOval(10, 10, 44, 44);
    fillOval(74, 10, 44, 44);
    makeRectangle(0, 0, 64, 64);
    Roi.setName("a photo of <my-ring>, left");
    Overlay.addSelection;
    makeRectangle(64, 0, 64, 64);
    Roi.setName("a photo of <my-ring>, right");
    Overlay.addSelection;
    Roi.remove;
}
run("Textual Inversion...", "model=[" + model + "] data=[rois:" + getTitle() + "] output=[my-ring.safetensors] "
    + "token=<my-ring> init_word=circle vectors=1 steps=2 batch=1 lr=5e-3 resolution=64 seed=3");
