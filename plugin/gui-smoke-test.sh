#!/usr/bin/env bash
# GUI smoke test (outside the Maven test suite): a fresh ImageJ 1 (net.imagej:ij) with the built
# Diffij jars in its plugins folder, on a virtual display; opens Plugins > Diffusion > Generate...
# from the menu bar, fills the dialog with the keyboard, runs it against the tiny SD 1.5 test model
# and saves screenshots of the menu, the dialog and the result. Then, in a second ImageJ,
# src/gui-smoke/TrainLoraSmoke.java runs Train > LoRA... from the menu on a small stack, checks the
# loss plot, the "Training samples" stack and its screenshots of them, and fails the script if any
# check fails.
#
#   plugin/gui-smoke-test.sh [OUTPUT_FOLDER]     (default: plugin/target/gui-smoke)
#
# Installs xvfb imagemagick xdotool x11-utils from Debian when missing (needs root or sudo).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/plugin/target/gui-smoke}" && cd "${1:-$ROOT/plugin/target/gui-smoke}" && pwd)
MODEL=$(cd "$ROOT/../shared/golden/models/tiny-sd15" && pwd)
IJ_VERSION=1.54p
IJ_JAR="$HOME/.m2/repository/net/imagej/ij/$IJ_VERSION/ij-$IJ_VERSION.jar"
DISPLAY_NUMBER=:97

missing=()
for tool in Xvfb:xvfb import:imagemagick xdotool:xdotool xwininfo:x11-utils; do
    command -v "${tool%%:*}" > /dev/null || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -q && $SUDO apt-get install -y -q "${missing[@]}"
fi

(cd "$ROOT" && mvn -o -q package -pl sdk,plugin -DskipTests)
[ -f "$IJ_JAR" ] || (cd "$ROOT" && mvn -q dependency:get -Dartifact=net.imagej:ij:$IJ_VERSION)

# A bare ImageJ: the plugin jar in plugins/, its libraries in plugins/jars/ (Fiji would already
# have the ones in fiji-shipped-jars in Fiji.app/jars) with this platform's libtorch (Fiji.app's
# jars/linux64; ImageJ 1 has no platform folders), its own HOME for preferences.
IMAGEJ="$OUT/ImageJ"
rm -rf "$IMAGEJ" "$OUT"/*.png "$OUT"/cells-lora* "$OUT"/samples
mkdir -p "$IMAGEJ/plugins/jars" "$OUT/home/.imagej"
cp "$ROOT"/plugin/target/Fiji.app/plugins/*.jar "$IMAGEJ/plugins/"
cp "$ROOT"/plugin/target/Fiji.app/jars/*.jar "$ROOT"/plugin/target/Fiji.app/jars/linux64/*.jar \
    "$ROOT"/plugin/target/fiji-shipped-jars/*.jar "$IMAGEJ/plugins/jars/"
echo ".diffij.last.model=$MODEL" > "$OUT/home/.imagej/IJ_Prefs.txt"

Xvfb $DISPLAY_NUMBER -screen 0 1280x800x24 -nolisten tcp &
XVFB=$!
IMAGEJ_PID=
cleanup() {
    [ -n "$IMAGEJ_PID" ] && kill "$IMAGEJ_PID" 2> /dev/null || true
    kill "$XVFB" 2> /dev/null || true
}
trap cleanup EXIT
export DISPLAY=$DISPLAY_NUMBER
sleep 2

# exec: the PID is ImageJ's own, so that killing it ends ImageJ before the second one starts.
(cd "$IMAGEJ" && HOME="$OUT/home" DJL_CACHE_DIR="$HOME/.cache/diffij/djl" exec java -Duser.home="$OUT/home" \
    -Dplugins.dir="$IMAGEJ" -jar "$IJ_JAR" > "$OUT/imagej.log" 2>&1) &
IMAGEJ_PID=$!

wait_for() { # window name regex, seconds
    for _ in $(seq "$2"); do
        xdotool search --onlyvisible --name "$1" 2> /dev/null | head -1 && return 0
        sleep 1
    done
    echo "no window '$1' appeared; see $OUT/imagej.log" >&2
    import -window root "$OUT/failure.png"
    return 1
}
shot() { import -window root "$OUT/$1.png"; echo "screenshot $OUT/$1.png"; }

MAIN=$(wait_for '^ImageJ$' 60)
sleep 2
# Plugins > Diffusion (the last entry of the Plugins menu of a bare ImageJ) > Generate... (after the
# Control submenu), by keyboard from the clicked menu bar (positions of ImageJ 1's main window).
eval "$(xdotool getwindowgeometry --shell "$MAIN")"
xdotool mousemove $((X + 321)) $((Y + 12)) click 1
sleep 1
xdotool key Up Right Down
sleep 1
shot 1-plugins-diffusion-menu
xdotool key Return
wait_for '^Generate$' 30 > /dev/null
sleep 1
# The dialog opens with the model field focused; every field is reached with Tab in the dialog's
# order (clicks would depend on the label column's width): past the model's and the VAE's File... and
# Folder... buttons to the prompt, then negative prompt, sampler, steps, CFG, seed, width, height; the
# model comes from the preferences. Then OK. The result's title says whether the values arrived where
# they belong.
replace() { # text: replaces the focused field's text
    xdotool key End
    for _ in $(seq 12); do xdotool key BackSpace; done
    xdotool type --delay 30 "$1"
}
next() { # fields to move on by Tab
    for _ in $(seq "$1"); do xdotool key Tab; sleep 0.2; done
}
next 6; replace "a red cat"
next 3; replace 4
next 2; replace 42
next 1; replace 64
next 1; replace 64
sleep 1
shot 2-generate-dialog
xdotool key Return   # Enter in a field is OK in ImageJ's GenericDialog
RESULT=$(wait_for '^Generated - a red cat \(seed 42\)' 180)
sleep 2
xdotool windowraise "$RESULT"
shot 3-result
echo "ImageJ log: $OUT/imagej.log"
kill "$IMAGEJ_PID"
wait "$IMAGEJ_PID" 2> /dev/null || true
IMAGEJ_PID=

# Train > LoRA...: screenshots 4-train-menu, 5-lora-dialog, 6-loss-plot, 7-training-samples; its
# checks' failure is the script's.
(cd "$IMAGEJ" && HOME="$OUT/home" DJL_CACHE_DIR="$HOME/.cache/diffij/djl" java -Duser.home="$OUT/home" \
    -Dplugins.dir="$IMAGEJ" -cp "$IJ_JAR" "$ROOT/plugin/src/gui-smoke/TrainLoraSmoke.java" "$OUT" "$MODEL" \
    2>&1 | tee "$OUT/imagej-training.log")
