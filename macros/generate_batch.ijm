// Generate a batch of images from a prompt: one stack, one slice per image
// (Plugins > Diffusion > Generate...). Every slice label, the image's Info and its
// "Diffij.Parameters" property hold the full request; Re-run from Image reproduces it.
// The model: the macro argument (a diffusers folder, a .safetensors file or a name in the
// model folders of Plugins > Diffusion > Settings...), else the model last used in a dialog.
// The size and steps suit the tiny test model; use 512 x 512 and 25 steps with a real SD 1.5 model.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
if (model == "") exit("Give the model as the macro argument, or run Plugins > Diffusion > Generate... once");
size = 64;
steps = 4;
run("Generate...", "model=[" + model + "] prompt=[a lighthouse on a cliff, watercolour] negative=[blurry] "
    + "sampler=[DPM++ 2M Karras] steps=" + steps + " cfg=7 seed=1234 width=" + size + " height=" + size + " batch=3");
print("Generated " + nSlices + " images of " + getWidth() + " x " + getHeight() + ": " + getTitle());
print(getMetadata("Info"));
