// Image to image over every slice of a stack (Plugins > Diffusion > Image to Image...):
// one request per slice, seed + slice index, the results as a new stack with the source's
// calibration; the source is left as it was. Any image type works (gray images through their
// display range). Without an open image it makes a small 16-bit demo stack.
// The model: the macro argument, else the model last used in a dialog.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
if (nImages == 0) {
    newImage("demo stack", "16-bit ramp", 64, 64, 3);
    setVoxelSize(0.2, 0.2, 1, "um");
}
source = getTitle();
run("Image to Image...", "model=[" + model + "] prompt=[a stained tissue section, microscopy] negative=[] "
    + "sampler=[Euler a] steps=4 cfg=7 seed=100 width=" + getWidth() + " height=" + getHeight()
    + " batch=1 strength=0.6 stack=[all slices] seeds=seed+index");
getPixelSize(unit, pw, ph);
print("Image to image of " + source + ": " + nSlices + " slices, pixel size " + pw + " " + unit);
