package streamlab.direct;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.dstream.InputDStream;
import org.apache.spark.streaming.kafka010.CanCommitOffsets;
import org.apache.spark.streaming.kafka010.ConsumerStrategies;
import org.apache.spark.streaming.kafka010.ConsumerStrategy;
import org.apache.spark.streaming.kafka010.HasOffsetRanges;
import org.apache.spark.streaming.kafka010.KafkaUtils;
import org.apache.spark.streaming.kafka010.LocationStrategies;
import org.apache.spark.streaming.kafka010.OffsetRange;
import scala.Tuple2;

/**
 * The JVM half of the lab's {@code pyspark.streaming.kafka}: what Spark 2's
 * KafkaUtilsPythonHelper did for Kafka 0.8, here on Spark's 0-10 Direct integration, which Spark
 * still publishes although PySpark dropped its Python wrapper in Spark 3.0.
 *
 * <p>A ConsumerRecord can be neither serialized nor handed to Python, so each record becomes a
 * pair of byte arrays in the JVM: PythonRDD writes such a pair as two frames, which Python
 * reads with {@code PairDeserializer(NoOpSerializer(), NoOpSerializer())}, as Spark 2 did.
 * With metadata the pair is ((topic, "partition offset"), (key, value)), still frames only.
 * The functions are named classes with fixed serialVersionUIDs, so that a DStream checkpoint
 * written by one build of this jar is read by the next.
 */
public final class KafkaUtilsPythonHelper {

  /** A record's key and value, the shape of Spark 2's direct stream without a handler. */
  public static final class KeyAndValue
      implements org.apache.spark.api.java.function.Function<
          ConsumerRecord<byte[], byte[]>, Tuple2<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<byte[], byte[]> call(ConsumerRecord<byte[], byte[]> record) {
      return new Tuple2<>(record.key(), record.value());
    }
  }

  /** A record with where it came from, for Python's messageHandler. */
  public static final class WithMetadata
      implements org.apache.spark.api.java.function.Function<
          ConsumerRecord<byte[], byte[]>, Tuple2<Tuple2<String, String>, Tuple2<byte[], byte[]>>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Tuple2<String, String>, Tuple2<byte[], byte[]>> call(
        ConsumerRecord<byte[], byte[]> record) {
      String position = record.partition() + " " + record.offset();
      return new Tuple2<>(
          new Tuple2<>(record.topic(), position), new Tuple2<>(record.key(), record.value()));
    }
  }

  /**
   * The direct stream: Subscribe to the topics, or Assign the partitions of fromOffsets and
   * start each at its offset (Spark 2's fromOffsets named the partitions to read).
   */
  public JavaInputDStream<ConsumerRecord<byte[], byte[]>> createDirectStream(
      JavaStreamingContext jssc,
      Map<String, Object> kafkaParams,
      Collection<String> topics,
      Map<TopicPartition, Number> fromOffsets) {
    ConsumerStrategy<byte[], byte[]> strategy;
    if (fromOffsets == null || fromOffsets.isEmpty()) {
      strategy = ConsumerStrategies.Subscribe(new ArrayList<>(topics), kafkaParams);
    } else {
      Map<TopicPartition, Long> offsets = longs(fromOffsets);
      strategy = ConsumerStrategies.Assign(new ArrayList<>(offsets.keySet()), kafkaParams, offsets);
    }
    return KafkaUtils.createDirectStream(jssc, LocationStrategies.PreferConsistent(), strategy);
  }

  public JavaDStream<Tuple2<byte[], byte[]>> keysAndValues(
      JavaInputDStream<ConsumerRecord<byte[], byte[]>> stream) {
    return stream.map(new KeyAndValue());
  }

  public JavaDStream<Tuple2<Tuple2<String, String>, Tuple2<byte[], byte[]>>> withMetadata(
      JavaInputDStream<ConsumerRecord<byte[], byte[]>> stream) {
    return stream.map(new WithMetadata());
  }

  /** The id that the streaming graph knows the input stream by; it survives a checkpoint. */
  public int inputStreamId(JavaInputDStream<?> stream) {
    return stream.inputDStream().id();
  }

  /** Exactly the given offset ranges, as one batch RDD (one Spark partition per range). */
  public JavaRDD<?> createRDD(
      JavaSparkContext jsc,
      Map<String, Object> kafkaParams,
      List<OffsetRange> ranges,
      boolean withMetadata) {
    JavaRDD<ConsumerRecord<byte[], byte[]>> records =
        KafkaUtils.createRDD(
            jsc,
            kafkaParams,
            ranges.toArray(new OffsetRange[0]),
            LocationStrategies.PreferConsistent());
    return withMetadata ? records.map(new WithMetadata()) : records.map(new KeyAndValue());
  }

  public TopicPartition topicPartition(String topic, int partition) {
    return new TopicPartition(topic, partition);
  }

  public OffsetRange offsetRange(String topic, int partition, Number from, Number until) {
    return OffsetRange.create(topic, partition, from.longValue(), until.longValue());
  }

  /**
   * The offset ranges of the Kafka RDD that this RDD was narrowly derived from (a Python map
   * of a batch is a PythonRDD over a map over it), as Spark 2's offsetRangesOfKafkaRDD found
   * them; after a shuffle there is none to find.
   */
  public List<OffsetRange> offsetRanges(RDD<?> rdd) {
    List<HasOffsetRanges> found = new ArrayList<>();
    List<RDD<?>> pending = new ArrayList<>();
    pending.add(rdd);
    while (!pending.isEmpty()) {
      RDD<?> current = pending.remove(pending.size() - 1);
      if (current instanceof HasOffsetRanges) {
        found.add((HasOffsetRanges) current);
        continue;
      }
      scala.collection.Iterator<org.apache.spark.Dependency<?>> deps =
          current.dependencies().iterator();
      while (deps.hasNext()) {
        org.apache.spark.Dependency<?> dep = deps.next();
        if (dep instanceof org.apache.spark.NarrowDependency) {
          pending.add(dep.rdd());
        }
      }
    }
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          "offsetRanges() reads a batch of the Kafka direct stream itself (in foreachRDD or"
              + " transform of the stream that createDirectStream returned); this RDD has "
              + found.size()
              + " Kafka RDDs among its narrow ancestors.");
    }
    return java.util.Arrays.asList(found.get(0).offsetRanges());
  }

  /**
   * Commits offsets to Kafka through the direct stream of the given id (a consumer group's
   * offsets, for tools such as kafka-consumer-groups; the checkpoint holds the stream's own).
   */
  public void commitAsync(JavaStreamingContext jssc, int inputStreamId, List<OffsetRange> ranges) {
    for (InputDStream<?> stream : jssc.ssc().graph().getInputStreams()) {
      if (stream.id() == inputStreamId && stream instanceof CanCommitOffsets) {
        ((CanCommitOffsets) stream).commitAsync(ranges.toArray(new OffsetRange[0]));
        return;
      }
    }
    throw new IllegalArgumentException("no Kafka direct stream has the id " + inputStreamId);
  }

  private static Map<TopicPartition, Long> longs(Map<TopicPartition, Number> offsets) {
    Map<TopicPartition, Long> result = new HashMap<>();
    for (Map.Entry<TopicPartition, Number> entry : offsets.entrySet()) {
      result.put(entry.getKey(), entry.getValue().longValue());
    }
    return result;
  }
}
