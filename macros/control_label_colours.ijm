// Segmentation control image: an 8- or 16-bit label image of ADE20K classes (0..149, 0 = wall,
// 2 = sky, 4 = tree, 6 = road, 12 = person) painted with the segmentation ControlNet's colours
// (Plugins > Diffusion > Control > Label Colours...). Other labels are refused with an error.
// Without an open image it makes a small scene of labels first.
if (nImages == 0) {
    newImage("labels", "8-bit black", 128, 96, 1);
    setColor(2); fillRect(0, 0, 128, 40);     // sky
    setColor(6); fillRect(0, 70, 128, 26);    // road
    setColor(4); fillOval(10, 20, 40, 55);    // tree
    setColor(12); fillRect(80, 35, 16, 40);   // person
}
source = getTitle();
run("Label Colours...", "size=0 resize=fit multiple=64");
print("Label colours of " + source + ": " + getTitle());
