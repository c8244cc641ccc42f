// Train a LoRA from the open stack (Plugins > Diffusion > Train > LoRA...): every slice is a
// training image, its slice label its caption. Without an open image it makes a small RGB
// stack of coloured squares with labelled slices. The model: the macro argument, else the model
// last used; the LoRA is written into the first model folder of Settings..., ready for the
// Generate dialogs' adapters field by name. A few steps only, to show the keys.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
output = "stack-lora.safetensors";
if (nImages == 0) {
    newImage("concept", "RGB white", 64, 64, 3);
    colours = newArray("#dc2828", "#2846dc", "#28aa3c");
    for (s = 1; s <= 3; s++) {
        setSlice(s);
        setColor(colours[s - 1]);
        fillRect(8 * s, 8 * s, 32, 32);
        setMetadata("Label", "a sks square, view " + s);
    }
}
run("LoRA...", "model=[" + model + "] data=[stack:" + getTitle() + "] output=[" + output + "] steps=3 batch=1 "
    + "lr=1e-3 rank=2 alpha=2 resolution=64 seed=7");
