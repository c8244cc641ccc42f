// Resume Training... (Plugins > Diffusion > Train): continues a stopped run (Esc, or a checkpoint
// written every checkpoint_every steps) from <output>-checkpoint.safetensors to the result an
// uninterrupted run gives. The argument is the checkpoint; the data it names must still be open.
checkpoint = getArgument();
if (checkpoint == "") exit("Give the checkpoint (<output>-checkpoint.safetensors) as the macro argument");
run("Resume Training...", "checkpoint=[" + checkpoint + "]");
print("Resumed " + checkpoint);
