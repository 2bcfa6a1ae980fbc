package streamlab;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.Trigger;
import scala.Tuple2;

/**
 * The bench's reference: the lab's word count (jobs/wordcount.py) written for the JVM, so that
 * `make bench` can show what the Python path costs against what a learner would write instead.
 *
 * <p>Same rules as jobs/words.py: split on the delimiter (a literal, not a pattern), strip
 * Spark's trim() whitespace, drop empty words, a null value has no words, and a value that is
 * not UTF-8 counts once as "&lt;invalid-utf8&gt;". Same two shapes: --method dataframe (explode +
 * groupBy) and --method rdd (flatMap, mapToPair, reduceByKey), each behind foreachBatch;
 * --method read only counts the rows, the floor that reading Kafka sets. Same
 * outputs: one results file per batch id in the lab's JSON layout, and one progress line per
 * batch, so the bench reads both jobs with the same code and checks that their counts agree.
 */
public final class JvmWordCount {
  static final String INVALID_UTF8 = "<invalid-utf8>";
  static final String WHITESPACE = " \t\r\n\f\u000b";
  static final ObjectMapper JSON = new ObjectMapper();

  private JvmWordCount() {}

  /** The words of one record value, as jobs/words.py split_line gives them. */
  static List<String> splitLine(byte[] value, String delimiter) {
    List<String> words = new ArrayList<>();
    if (value == null) {
      return words;
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(value))
              .toString();
    } catch (CharacterCodingException e) {
      words.add(INVALID_UTF8);
      return words;
    }
    int start = 0;
    while (true) {
      int end = text.indexOf(delimiter, start);
      String word = strip(text.substring(start, end < 0 ? text.length() : end));
      if (!word.isEmpty()) {
        words.add(word);
      }
      if (end < 0) {
        return words;
      }
      start = end + delimiter.length();
    }
  }

  static String strip(String word) {
    int from = 0;
    int to = word.length();
    while (from < to && WHITESPACE.indexOf(word.charAt(from)) >= 0) {
      from++;
    }
    while (to > from && WHITESPACE.indexOf(word.charAt(to - 1)) >= 0) {
      to--;
    }
    return word.substring(from, to);
  }

  static List<Tuple2<String, Long>> countRdd(Dataset<Row> batch, String delimiter) {
    return batch
        .select("value")
        .javaRDD()
        .flatMap(row -> splitLine((byte[]) row.get(0), delimiter).iterator())
        .mapToPair(word -> new Tuple2<>(word, 1L))
        .reduceByKey(Long::sum, 1) // one reduce partition, as the lab's count_rdd
        .collect();
  }

  static List<Tuple2<String, Long>> countDataFrame(Dataset<Row> batch, String delimiter) {
    Column value = functions.col("value");
    Column text =
        functions.when(functions.expr("is_valid_utf8(CAST(value AS STRING))"), value.cast("string"));
    Column words =
        functions
            .when(value.isNull(), functions.array())
            .otherwise(
                functions
                    .when(text.isNull(), functions.array(functions.lit(INVALID_UTF8)))
                    .otherwise(functions.split(text, regexQuote(delimiter), -1)));
    List<Tuple2<String, Long>> counts = new ArrayList<>();
    for (Row row :
        batch
            .select(functions.explode(words).alias("word"))
            .select(functions.trim(functions.col("word"), WHITESPACE).alias("word"))
            .where(functions.col("word").notEqual(""))
            .groupBy("word")
            .count()
            .collectAsList()) {
      counts.add(new Tuple2<>(row.getString(0), row.getLong(1)));
    }
    return counts;
  }

  static String regexQuote(String text) {
    StringBuilder quoted = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (!Character.isLetterOrDigit(c)) {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.toString();
  }

  /** The lab's results layout (jobs/results.py write_batch), written atomically. */
  static void writeBatch(Path results, long batchId, List<Tuple2<String, Long>> counts)
      throws IOException {
    Files.createDirectories(results);
    List<Map<String, Object>> entries = new ArrayList<>();
    for (Tuple2<String, Long> pair : counts) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("word", pair._1());
      entry.put("count", pair._2());
      entries.add(entry);
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("batch_id", batchId);
    record.put(
        "batch_time", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")));
    record.put("counts", entries);
    Path target = results.resolve(String.format("batch-%012d.json", batchId));
    Path partial = results.resolve(String.format("batch-%012d.tmp", batchId));
    Files.write(partial, JSON.writeValueAsBytes(record));
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Appends each batch's progress, as jobs/progress.py does for the Python job. */
  static final class ProgressLog extends StreamingQueryListener {
    private final Path path;

    ProgressLog(Path path) {
      this.path = path;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {}

    @Override
    public void onQueryProgress(QueryProgressEvent event) {
      try {
        Files.createDirectories(path.getParent());
        Files.write(
            path,
            (event.progress().json().strip() + "\n").getBytes(StandardCharsets.UTF_8),
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {}
  }

  static Map<String, String> parse(String[] argv) {
    Map<String, String> options = new HashMap<>();
    options.put("bootstrap-servers", "kafka:9092");
    options.put("topic", "words");
    options.put("method", "dataframe");
    options.put("trigger", "3 seconds");
    options.put("delimiter", ",");
    options.put("starting-offsets", "earliest");
    options.put("max-offsets-per-trigger", "0");
    options.put("fetch-max-wait-ms", "50");
    options.put("progress-dir", "/data/progress");
    for (int i = 0; i < argv.length; i += 2) {
      String key = argv[i].replaceFirst("^--", "");
      if (!options.containsKey(key) && !key.equals("checkpoint") && !key.equals("results-dir")
          || i + 1 >= argv.length) {
        throw new IllegalArgumentException("JvmWordCount: unknown option or missing value: " + argv[i]);
      }
      options.put(key, argv[i + 1]);
    }
    String topic = options.get("topic");
    options.putIfAbsent("checkpoint", "/data/checkpoints/" + topic);
    options.putIfAbsent("results-dir", "/data/results/" + topic);
    return options;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> options = parse(argv);
    String delimiter = options.get("delimiter");
    String method = options.get("method");
    Path results = Paths.get(options.get("results-dir"));
    String topic = options.get("topic");
    SparkSession spark = SparkSession.builder().appName("streamlab-wordcount-jvm").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    spark
        .streams()
        .addListener(new ProgressLog(Paths.get(options.get("progress-dir"), topic + ".jsonl")));
    DataStreamReader reader =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", options.get("bootstrap-servers"))
            .option("subscribe", topic)
            .option("startingOffsets", options.get("starting-offsets"))
            .option("failOnDataLoss", "true")
            .option("kafka.fetch.max.wait.ms", options.get("fetch-max-wait-ms"));
    long cap = Long.parseLong(options.get("max-offsets-per-trigger"));
    if (cap > 0) {
      reader = reader.option("maxOffsetsPerTrigger", cap);
    }
    if (!List.of("dataframe", "rdd", "read").contains(method)) {
      throw new IllegalArgumentException("JvmWordCount: --method is dataframe, rdd or read");
    }
    VoidFunction2<Dataset<Row>, Long> handle =
        (batch, batchId) -> {
          if (method.equals("read")) { // the floor: Kafka's records read, nothing counted
            batch.count();
            return;
          }
          List<Tuple2<String, Long>> counts =
              method.equals("rdd") ? countRdd(batch, delimiter) : countDataFrame(batch, delimiter);
          if (!counts.isEmpty()) {
            writeBatch(results, batchId, counts);
          }
        };
    String trigger = options.get("trigger");
    StreamingQuery query =
        reader
            .load()
            .select("value")
            .writeStream()
            .queryName("wordcount-jvm")
            .foreachBatch(handle)
            .option("checkpointLocation", options.get("checkpoint"))
            .trigger(
                trigger.equals("available-now")
                    ? Trigger.AvailableNow()
                    : Trigger.ProcessingTime(trigger))
            .start();
    System.out.println(
        "Counting the words of topic " + topic + " on the JVM (" + method + "), trigger " + trigger);
    query.awaitTermination();
  }
}
