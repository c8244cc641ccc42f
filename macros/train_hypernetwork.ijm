// Train > Hypernetwork... from every slice of the current stack, captioned by the slice labels
// (Plugins > Diffusion > Train > Hypernetwork...): an A1111 hypernetwork (.pt), and beside it its
// .safetensors twin, which also keeps the whole provenance (the .pt has room only for A1111's fields).
// Without an open image it makes a small labelled demo stack. The model: the macro argument, else the
// model last used in a dialog. The output is a bare name, so it lands in the first model folder of
// Settings... and a prompt calls it by name: <hypernet:cells-hypernetwork:1>.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
if (nImages == 0) {
    newImage("cells", "8-bit ramp", 64, 64, 2);
    setSlice(1); setMetadata("Label", "a micrograph of cells, bright");
    setSlice(2); setMetadata("Label", "a micrograph of cells, dark");
}
// The run leaves its loss plot as the current image: count the slices first.
slices = nSlices;
run("Hypernetwork...", "model=[" + model + "] data=[stack:" + getTitle() + "] output=[cells-hypernetwork.pt] "
    + "formats=a1111,safetensors layer_structure=1,2,1 activation=relu steps=2 lr=1e-3 resolution=64 seed=7");
print("Trained cells-hypernetwork from " + slices + " slices");
