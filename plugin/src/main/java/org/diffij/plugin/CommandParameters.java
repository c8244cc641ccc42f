package org.diffij.plugin;

import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.io.DirectoryChooser;
import ij.io.OpenDialog;
import java.awt.Button;
import java.awt.Choice;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.Panel;
import java.awt.TextField;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.diffij.DiffijException;

/**
 * The parameters of one command run, declared and read in order like a {@link GenericDialog}.
 * With a display the dialog is used (it fills itself from macro options and records them); headless,
 * where {@code GenericDialog} throws, values come from the macro options string. Either way a
 * field's macro key is the first word of its label, lower-cased ({@link Macro#trimKey}): the label
 * "Low threshold" records as {@code low=100}, and the same macro line works in both.
 */
public final class CommandParameters {

    private record Field(String key, String defaultValue, String[] choices) {
    }

    /** The first item of a chooser whose current value is none of its items. */
    static final String NO_CHOICE = "(choose...)";

    private final String title;
    private final String options;
    private final GenericDialog dialog;
    private final List<Field> fields = new ArrayList<>();
    private final Map<String, String> used = new LinkedHashMap<>();
    private int next;

    private CommandParameters(String title, String options, GenericDialog dialog) {
        this.title = title;
        this.options = options;
        this.dialog = dialog;
    }

    /** For a command started from a menu or a macro on the current thread. */
    public static CommandParameters forCurrentRun(String title) {
        if (GraphicsEnvironment.isHeadless()) {
            String options = Macro.getOptions();
            return forOptions(title, options == null ? "" : options);
        }
        return new CommandParameters(title, null, new GenericDialog(title));
    }

    private String preference(String key) {
        return DiffusionSettings.PREFIX + "dialog." + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")
                + "." + key;
    }

    private String initial(String key, String defaultValue) {
        return isSeen() ? Prefs.get(preference(key), defaultValue) : defaultValue;
    }

    /** Keeps the values of a run that worked as the next defaults of this dialog (in ImageJ's preferences). */
    public void remember() {
        if (isSeen()) {
            used.forEach((key, value) -> Prefs.set(preference(key), value));
        }
    }

    /** Values from a macro options string such as {@code "low=100 high=200 l2"}; missing keys take defaults. */
    public static CommandParameters forOptions(String title, String options) {
        return new CommandParameters(title, options, null);
    }

    public void addNumber(String label, double defaultValue, int digits) {
        String key = Macro.trimKey(label);
        fields.add(new Field(key, format(defaultValue, digits), null));
        if (dialog != null) {
            dialog.addNumericField(label, number(initial(key, format(defaultValue, digits)), defaultValue), digits);
        }
    }

    public void addChoice(String label, String[] choices, String defaultChoice) {
        String key = Macro.trimKey(label);
        fields.add(new Field(key, defaultChoice, choices.clone()));
        if (dialog != null) {
            String initial = initial(key, defaultChoice);
            dialog.addChoice(label, choices, Arrays.asList(choices).contains(initial) ? initial : defaultChoice);
        }
    }

    public void addCheckbox(String label, boolean defaultValue) {
        String key = Macro.trimKey(label);
        fields.add(new Field(key, Boolean.toString(defaultValue), null));
        if (dialog != null) {
            dialog.addCheckbox(label, Boolean.parseBoolean(initial(key, Boolean.toString(defaultValue))));
        }
    }

    public void addString(String label, String defaultValue, int columns) {
        String key = Macro.trimKey(label);
        fields.add(new Field(key, defaultValue, null));
        if (dialog != null) {
            dialog.addStringField(label, initial(key, defaultValue), columns);
        }
    }

    /**
     * With a dialog only: a chooser beside the fields that is not a parameter (not recorded, no macro
     * key), showing {@code selected} first; picking an item rewrites the last string field as
     * {@code update(text, item)} returns it. Where {@code selected} is none of the items (null: none),
     * a first item {@value #NO_CHOICE} shows instead and changes nothing, so that every item can be picked.
     */
    public void addPicker(String label, String[] items, String selected, BinaryOperator<String> update) {
        if (dialog == null || items.length == 0) {
            return;
        }
        TextField field = (TextField) dialog.getStringFields().lastElement();
        Choice choice = new Choice();
        if (!Arrays.asList(items).contains(selected)) {
            choice.add(NO_CHOICE);
        }
        for (String item : items) {
            choice.add(item);
        }
        choice.select(Arrays.asList(items).contains(selected) ? selected : NO_CHOICE);
        choice.addItemListener(e -> {
            if (!choice.getSelectedItem().equals(NO_CHOICE)) {
                field.setText(update.apply(field.getText(), choice.getSelectedItem()));
            }
        });
        Panel panel = new Panel(new FlowLayout(FlowLayout.LEFT, 5, 0));
        panel.add(new Label(label));
        panel.add(choice);
        dialog.addPanel(panel);
    }

    /** What a browse button beside a field picks. */
    public enum Browse {
        FILE, FOLDER, FILE_OR_FOLDER
    }

    /**
     * With a dialog only: browse buttons ("File...", "Folder..." or both) beside the last string field
     * (in its row, as ImageJ's own file fields place theirs); the path picked rewrites the field as
     * {@code update(text, path)} returns it.
     */
    public void addBrowse(Browse kind, BinaryOperator<String> update) {
        if (dialog == null) {
            return;
        }
        TextField field = (TextField) dialog.getStringFields().lastElement();
        GridBagLayout layout = (GridBagLayout) dialog.getLayout();
        GridBagConstraints place = layout.getConstraints(field);
        Panel row = new Panel(new FlowLayout(FlowLayout.LEFT, 0, 0));
        row.add(field);
        if (kind != Browse.FOLDER) {
            Button file = new Button("File...");
            file.addActionListener(e -> {
                OpenDialog open = new OpenDialog("Choose a file", null);
                if (open.getFileName() != null) {
                    field.setText(update.apply(field.getText(), Path.of(open.getDirectory(), open.getFileName())
                            .toString()));
                }
            });
            row.add(file);
        }
        if (kind != Browse.FILE) {
            Button folder = new Button("Folder...");
            folder.addActionListener(e -> {
                String chosen = new DirectoryChooser("Choose a folder").getDirectory();
                if (chosen != null) {
                    field.setText(update.apply(field.getText(), Path.of(chosen).toString()));
                }
            });
            row.add(folder);
        }
        layout.setConstraints(row, place);
        dialog.add(row);
    }

    /**
     * Whether the user sees the dialog: not in a macro run, whose dialog stays hidden. Only then does
     * the dialog show the values last used in it, as ImageJ's own dialogs do (a macro line's missing
     * keys keep their documented defaults), and gather what only a user picks from, such as the model
     * folders' LoRAs.
     */
    public boolean isSeen() {
        return dialog != null && Macro.getOptions() == null;
    }

    /** With a dialog: the next field goes in the same row as the last one, so that long dialogs fit the screen. */
    public void addToSameRow() {
        if (dialog != null) {
            dialog.addToSameRow();
        }
    }

    public void addMessage(String text) {
        if (dialog != null) {
            dialog.addMessage(text);
        }
    }

    /** Shows the dialog where there is one; false when the user cancelled. */
    public boolean show() {
        if (dialog == null) {
            return true;
        }
        dialog.addHelp(Help.html(title));
        dialog.showDialog();
        return !dialog.wasCanceled();
    }

    public double nextNumber() {
        Field field = nextField();
        if (dialog != null) {
            double value = dialog.getNextNumber();
            if (dialog.invalidNumber()) {
                throw new DiffijException(title + ": '" + field.key() + "' must be a number");
            }
            used.put(field.key(), Double.toString(value));
            return value;
        }
        String text = Macro.getValue(options, field.key(), field.defaultValue());
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new DiffijException(title + ": '" + field.key() + "' must be a number, got '" + text + "'");
        }
    }

    public String nextChoice() {
        Field field = nextField();
        String value = dialog != null ? dialog.getNextChoice() : Macro.getValue(options, field.key(), field.defaultValue());
        if (!Arrays.asList(field.choices()).contains(value)) {
            throw new DiffijException(title + ": '" + field.key() + "' must be one of "
                    + String.join(", ", field.choices()) + ", got '" + value + "'");
        }
        used.put(field.key(), value);
        return value;
    }

    public String nextString() {
        Field field = nextField();
        String value = dialog != null ? dialog.getNextString() : Macro.getValue(options, field.key(), field.defaultValue());
        used.put(field.key(), value);
        return value;
    }

    public boolean nextBoolean() {
        Field field = nextField();
        if (dialog != null) {
            boolean value = dialog.getNextBoolean();
            used.put(field.key(), Boolean.toString(value));
            return value;
        }
        if (options.isBlank()) {
            return Boolean.parseBoolean(field.defaultValue());
        }
        return (" " + options + " ").contains(" " + field.key() + " ");
    }

    private Field nextField() {
        if (next >= fields.size()) {
            throw new IllegalStateException(title + " reads more parameters than it declared");
        }
        return fields.get(next++);
    }

    private static double number(String text, double fallback) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String format(double value, int digits) {
        return digits == 0 && value == Math.rint(value) ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%." + Math.max(digits, 1) + "f", value);
    }
}
