// Repaint the selected area of the current image (Plugins > Diffusion > Inpaint Selection...):
// the selection, grown by 2 pixels and feathered, is the mask; the result is a NEW image and the
// source keeps its pixels and its selection. Without an open image it makes a demo with an oval selection.
// The model: the macro argument, else the model last used in a dialog.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
if (nImages == 0) {
    newImage("garden", "RGB white", 64, 64, 1);
    setColor(40, 140, 60);
    fillRect(0, 32, 64, 32);
    makeOval(16, 16, 28, 28);
}
if (selectionType() == -1) exit("Select the area to repaint first");
run("Inpaint Selection...", "model=[" + model + "] prompt=[a red flower] negative=[] sampler=[Euler a] "
    + "steps=4 cfg=7 seed=77 width=" + getWidth() + " height=" + getHeight() + " batch=1 strength=1 grow=2 feather=2");
print("Inpainted: " + getTitle());
