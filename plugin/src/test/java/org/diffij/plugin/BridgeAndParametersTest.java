package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class BridgeAndParametersTest {

    @Test
    void wrappedPixelsAreTheProcessorsOwn() {
        ByteProcessor ip = new ByteProcessor(4, 3);
        RandomAccessibleInterval<UnsignedByteType> view = ImgLibBridge.bytes(ip);
        RandomAccess<UnsignedByteType> access = view.randomAccess();
        access.setPosition(new long[] {2, 1});
        access.get().set(77);
        assertEquals(77, ip.get(2, 1), "writing through the view changes the processor");
        ColorProcessor rgb = new ColorProcessor(2, 2);
        rgb.set(1, 0, 0x0a141e);
        RandomAccess<UnsignedByteType> channels = ImgLibBridge.rgb(rgb).randomAccess();
        channels.setPosition(new long[] {1, 0, 0});
        assertEquals(10, channels.get().get());
        channels.setPosition(2, 2);
        assertEquals(30, channels.get().get());
    }

    @Test
    void aHyperstacksZStackIsTakenAtTheCurrentChannelAndFrame() {
        ImagePlus hyperstack = IJ.createHyperStack("h", 3, 2, 2, 4, 3, 8);
        for (int c = 1; c <= 2; c++) {
            for (int z = 1; z <= 4; z++) {
                for (int t = 1; t <= 3; t++) {
                    hyperstack.getStack().getProcessor(hyperstack.getStackIndex(c, z, t)).set(100 * c + 10 * t + z);
                }
            }
        }
        hyperstack.setPosition(2, 1, 3);
        RandomAccessibleInterval<? extends RealType<?>> stack = ImgLibBridge.zStack(hyperstack);
        assertEquals(4, stack.dimension(2));
        RandomAccess<? extends RealType<?>> access = stack.randomAccess();
        for (int z = 0; z < 4; z++) {
            access.setPosition(new long[] {1, 1, z});
            assertEquals(200 + 30 + z + 1, access.get().getRealDouble());
        }
    }

    @Test
    void macroOptionsAreReadByTheFirstWordOfEachLabel() {
        CommandParameters p = CommandParameters.forOptions("Test", "low=12.5 near=[first slice] l2");
        p.addNumber("Low threshold", 100, 0);
        p.addNumber("High threshold", 200, 0);
        p.addChoice("Near", new String[] {"last slice", "first slice"}, "last slice");
        p.addCheckbox("L2 gradient", false);
        p.addCheckbox("Height map", true);
        assertTrue(p.show());
        assertEquals(12.5, p.nextNumber());
        assertEquals(200, p.nextNumber());
        assertEquals("first slice", p.nextChoice());
        assertTrue(p.nextBoolean());
        assertFalse(p.nextBoolean(), "a checkbox missing from recorded options is off, as in GenericDialog");
        CommandParameters defaults = CommandParameters.forOptions("Test", "");
        defaults.addCheckbox("Height map", true);
        assertTrue(defaults.nextBoolean(), "without options the default holds");
    }

    @Test
    void badOptionsAreNamedInTheMessage() {
        CommandParameters p = CommandParameters.forOptions("Canny Edges", "low=abc aperture=4");
        p.addNumber("Low threshold", 100, 0);
        p.addChoice("Aperture", new String[] {"3", "5", "7"}, "3");
        DiffijException number = assertThrows(DiffijException.class, p::nextNumber);
        assertEquals("Canny Edges: 'low' must be a number, got 'abc'", number.getMessage());
        DiffijException choice = assertThrows(DiffijException.class, p::nextChoice);
        assertEquals("Canny Edges: 'aperture' must be one of 3, 5, 7, got '4'", choice.getMessage());
    }

    @Test
    void longMessagesWrapAtSpacesForDialogs() {
        String message = "the ControlNet tiny-controlnet-sd15 belongs to another base model: text width 32 and block "
                + "widths [32, 64], the model's are 64 and [32, 64]; use a ControlNet made for this model's architecture";
        String wrapped = Feedback.wrapped(message);
        assertEquals(message, wrapped.replace('\n', ' '), "only spaces become line breaks");
        assertTrue(wrapped.lines().count() >= 3, wrapped);
        wrapped.lines().forEach(line -> assertTrue(line.length() <= Feedback.DIALOG_COLUMNS, line));
        assertEquals("short\nlines stay", Feedback.wrapped("short\nlines stay"));
        String word = "x".repeat(100);
        assertEquals(word + "\nend", Feedback.wrapped(word + " end"), "a word longer than a line stays whole");
    }
}
