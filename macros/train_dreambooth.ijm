// Train > DreamBooth... from every slice of the current stack, captioned by the slice labels
// (Plugins > Diffusion > Train > DreamBooth...): a fine-tuned copy of the whole model, written as a
// diffusers folder. prior_mode=prediction keeps the class prior with the frozen base model's own
// prediction under class_prompt, so no class images need to be generated first. Without an open image
// it makes a small labelled demo stack. The model: the macro argument, else the model last used in a
// dialog. The output is a bare name, so it lands in the first model folder of Settings... and
// Generate's model field finds it by name.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
if (nImages == 0) {
    newImage("cells", "8-bit ramp", 64, 64, 2);
    setSlice(1); setMetadata("Label", "a micrograph of sks cells, bright");
    setSlice(2); setMetadata("Label", "a micrograph of sks cells, dark");
}
// The run leaves its loss plot as the current image: count the slices first.
slices = nSlices;
run("DreamBooth...", "model=[" + model + "] data=[stack:" + getTitle() + "] output=[cells-dreambooth] "
    + "prior_mode=prediction class_prompt=[a micrograph of cells] steps=2 lr=1e-4 resolution=64 seed=7");
print("Fine-tuned cells-dreambooth from " + slices + " slices");
