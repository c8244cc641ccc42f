package org.diffij.engine;

import org.diffij.DiffijException;

/**
 * Keeps DJL from ever touching the network. DJL sends a usage-tracking request at engine start and
 * may download native libraries unless told otherwise; inside Fiji there are no environment
 * variables to set, so the system properties DJL also reads are set here before its first use.
 */
final class Offline {

    static final String TRACKING = "OPT_OUT_TRACKING";
    static final String OFFLINE = "ai.djl.offline";

    private Offline() {
    }

    static void enforce() {
        System.setProperty(TRACKING, "true");
        System.setProperty(OFFLINE, "true");
        // DJL gives an environment variable precedence over these properties.
        if ("false".equalsIgnoreCase(System.getenv("DJL_OFFLINE"))
                && "false".equalsIgnoreCase(System.getenv(TRACKING))) {
            throw new DiffijException("the environment sets DJL_OFFLINE=false and OPT_OUT_TRACKING=false, which "
                    + "would let DJL contact its servers; unset them to run Diffij");
        }
    }
}
