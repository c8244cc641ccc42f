package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class ExtraNetworkTagTest {

    @Test
    void tagsAreRemovedAndListedInOrder() {
        ExtraNetworkTag.Extracted e = ExtraNetworkTag.extract("a <cat-toy> cat <lora:detail:0.8> <hypernet:anime:0.5><lora:x>");
        assertEquals("a <cat-toy> cat  ", e.prompt());
        assertEquals(List.of(new ExtraNetworkTag("lora", "detail", List.of("0.8")),
                new ExtraNetworkTag("hypernet", "anime", List.of("0.5")), new ExtraNetworkTag("lora", "x", List.of())),
                e.tags());
    }

    @Test
    void multipliersDefaultToOneAndLoraMayGiveTheUnetItsOwn() {
        List<ExtraNetworkTag> tags = ExtraNetworkTag.extract("<lora:a> <lora:b:0.7> <lora:c:0.7:0.2>").tags();
        assertEquals(1.0, tags.get(0).multiplier());
        assertEquals(0.7, tags.get(1).unetMultiplier());
        assertEquals(0.7, tags.get(2).multiplier());
        assertEquals(0.2, tags.get(2).unetMultiplier());
        assertThrows(DiffijException.class, () -> ExtraNetworkTag.extract("<lora:a:strong>").tags().get(0).multiplier());
    }

    @Test
    void namedTeAndUnetMultipliersAsA1111ReadsThem() {
        List<ExtraNetworkTag> tags = ExtraNetworkTag.extract("<lora:a:te=0.3:unet=0.9> <lora:b:0.5:unet=0.1> "
                + "<lora:c:unet=0.4>").tags();
        assertEquals(0.3, tags.get(0).multiplier());
        assertEquals(0.9, tags.get(0).unetMultiplier());
        assertEquals(0.5, tags.get(1).multiplier());
        assertEquals(0.1, tags.get(1).unetMultiplier());
        assertEquals(1.0, tags.get(2).multiplier());
        assertEquals(0.4, tags.get(2).unetMultiplier());
    }

    @Test
    void parsingAPromptSeparatesTagsFromTheSchedule() {
        A1111Prompt prompt = A1111Prompt.parse("<lora:style:0.6>a [dog:cat:5]", 10);
        assertEquals(1, prompt.extraNetworks().size());
        assertEquals("a dog", prompt.schedule().promptAt(0));
        assertEquals("a cat", prompt.schedule().promptAt(9));
    }
}
