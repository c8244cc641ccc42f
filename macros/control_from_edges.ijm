// ControlNet from edges: Canny edges of the current image (Plugins > Diffusion > Control >
// Canny Edges...), then Plugins > Diffusion > Generate with ControlNet... steered by that edge image.
// The model: the macro argument, else the model last used; the ControlNet: the one last used in
// Generate with ControlNet... (a canny ControlNet folder). Without an open image it draws a demo.
model = getArgument();
if (model == "") model = call("ij.Prefs.get", "diffij.last.model", "");
controlnet = call("ij.Prefs.get", "diffij.last.controlnet", "");
if (model == "" || controlnet == "")
    exit("Run Plugins > Diffusion > Generate with ControlNet... once to choose the model and the ControlNet");
if (nImages == 0) {
    newImage("shapes", "8-bit black", 64, 64, 1);
    setColor(220);
    fillOval(12, 12, 40, 40);
}
run("Canny Edges...", "low=100 high=200 aperture=3 size=0 resize=fit multiple=8");
edges = getTitle();
run("Generate with ControlNet...", "model=[" + model + "] prompt=[a glass sphere] negative=[] sampler=[Euler a] "
    + "steps=4 cfg=7 seed=5 width=" + getWidth() + " height=" + getHeight() + " batch=1 "
    + "controls=[canny|" + controlnet + "|" + edges + "|1|0|1]");
print("Generated with the edges of " + edges + ": " + getTitle());
