// Train > LoRA... from every slice of the current stack, captioned by the slice labels
// (Plugins > Diffusion > Train > LoRA...). Without an open image it makes a small labelled demo stack.
// The model: the macro argument, else the model last used in a dialog. The output is a bare name,
// so it lands in the first model folder of Settings... and Generate's adapters field finds it by name.
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
run("LoRA...", "model=[" + model + "] data=[stack:" + getTitle() + "] output=[cells-lora.safetensors] "
    + "steps=3 lr=1e-3 resolution=64 seed=7 rank=2 alpha=2");
print("Trained cells-lora from " + slices + " slices");
