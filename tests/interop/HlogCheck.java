/*
 * HlogCheck — the reference side of bhost's interval-log interop test
 * (tests/interop/test_interop.c), run against Debian's HdrHistogram jar.
 *
 *   java HlogCheck read FILE    reads FILE with HistogramLogReader and prints,
 *                               per tag in first-seen order ("-": untagged),
 *                               the merged figures on one line:
 *       tag=T intervals=N count=C min=M max=X mean=Y p50=A p90=B p99=C p99.9=D start_ms=S
 *   java HlogCheck write FILE   writes FILE with HistogramLogWriter: tagged and
 *                               untagged intervals of known values, in several
 *                               histogram layouts; last, "zero" (only values in
 *                               bucket 0 of a layout from 1000) and "empty".
 *
 * Tags are merged as HistogramLogProcessor merges them: into a copy of the
 * first interval's histogram, reset and auto-resizing. Exit 1 on any error.
 */
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

public class HlogCheck {
    /** One tag's intervals, merged. */
    private static final class Merged {
        final Histogram histogram;
        final long firstStartMs;
        int intervals;

        Merged(Histogram first) {
            histogram = first.copy();
            histogram.reset();
            histogram.setAutoResize(true);
            firstStartMs = first.getStartTimeStamp();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("read")) {
            read(args[1]);
        } else if (args.length == 2 && args[0].equals("write")) {
            write(args[1]);
        } else {
            System.err.println("usage: java HlogCheck read|write FILE");
            System.exit(2);
        }
    }

    private static void read(String file) throws Exception {
        Map<String, Merged> tags = new LinkedHashMap<>();
        HistogramLogReader reader = new HistogramLogReader(file);
        EncodableHistogram next;
        while ((next = reader.nextIntervalHistogram()) != null) {
            if (!(next instanceof Histogram)) {
                fail(file + ": an interval is not an integer Histogram");
            }
            Histogram h = (Histogram) next;
            String tag = h.getTag() == null ? "-" : h.getTag();
            Merged m = tags.get(tag);
            if (m == null) {
                m = new Merged(h);
                tags.put(tag, m);
            }
            m.histogram.add(h);
            m.intervals++;
        }
        if (reader.hasNext()) {
            fail(file + ": HistogramLogReader stopped before the end of the log");
        }
        reader.close();
        if (tags.isEmpty()) {
            fail(file + ": no intervals");
        }
        for (Map.Entry<String, Merged> e : tags.entrySet()) {
            Histogram h = e.getValue().histogram;
            System.out.printf(Locale.US,
                    "tag=%s intervals=%d count=%d min=%d max=%d mean=%s p50=%d p90=%d p99=%d "
                    + "p99.9=%d start_ms=%d%n",
                    e.getKey(), e.getValue().intervals, h.getTotalCount(), h.getMinValue(),
                    h.getMaxValue(), Double.toString(h.getMean()), h.getValueAtPercentile(50.0),
                    h.getValueAtPercentile(90.0), h.getValueAtPercentile(99.0),
                    h.getValueAtPercentile(99.9), e.getValue().firstStartMs);
        }
    }

    /** A 64-bit LCG: the same values on every JVM. */
    private static long state = 42;

    private static long random() {
        state = state * 6364136223846793005L + 1442695040888963407L;
        return state >>> 1;
    }

    /** Log-uniform over [0, 2^maxBits), capped at limit. */
    private static long value(int maxBits, long limit) {
        int bits = (int) (random() % (maxBits + 1));
        long v = bits == 0 ? 0 : random() >>> (63 - bits);
        return Math.min(v, limit);
    }

    private static Histogram filled(Histogram h, String tag, int n, int maxBits, long limit) {
        for (int i = 0; i < n; i++) {
            h.recordValue(value(maxBits, limit));
        }
        h.setTag(tag);
        return h;
    }

    private static void write(String file) throws Exception {
        long startMs = 1700000000123L;
        HistogramLogWriter w = new HistogramLogWriter(file);
        w.outputComment("[Logged with HlogCheck, the bhost interop test]");
        w.outputLogFormatVersion();
        w.outputStartTime(startMs);
        w.outputBaseTime(startMs);
        w.outputLegend();
        long hour = 3600L * 1000 * 1000 * 1000;
        // bhost's own layout, two intervals.
        w.outputIntervalHistogram(0.0, 1.0, filled(new Histogram(1, hour, 3), "alpha", 10000, 40, hour));
        // Auto-resizing, zeros included.
        w.outputIntervalHistogram(0.5, 1.5, filled(new Histogram(3), "beta", 5000, 30, hour));
        w.outputIntervalHistogram(1.0, 2.0, filled(new Histogram(1, hour, 3), "alpha", 10000, 40, hour));
        // Two significant digits and a small range.
        w.outputIntervalHistogram(1.5, 2.5, filled(new Histogram(1, 10000000L, 2), "gamma", 3000, 24, 10000000L));
        // A lowest discernible value above 1 (unit magnitude 9).
        w.outputIntervalHistogram(2.0, 3.0, filled(new Histogram(1000, hour, 3), "delta", 4000, 36, hour));
        w.outputIntervalHistogram(2.5, 3.5, filled(new Histogram(3), "beta", 5000, 34, hour));
        // Untagged.
        Histogram plain = filled(new Histogram(3), null, 2000, 20, hour);
        w.outputIntervalHistogram(3.0, 4.0, plain);
        // From 1000 (bucket 0 is 0..511): only bucket 0, then nothing at all.
        Histogram zero = new Histogram(1000, hour, 3);
        zero.recordValue(5);
        zero.recordValue(300);
        zero.setTag("zero");
        w.outputIntervalHistogram(3.5, 4.5, zero);
        Histogram empty = new Histogram(1000, hour, 3);
        empty.setTag("empty");
        w.outputIntervalHistogram(4.0, 5.0, empty);
        w.close();
    }

    private static void fail(String why) {
        System.err.println("HlogCheck: " + why);
        System.exit(1);
    }
}
