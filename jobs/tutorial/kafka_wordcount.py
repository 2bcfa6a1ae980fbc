# The tutorial's streaming program (section 4.3, step 2), as the lab runs it: the text of
# the tutorial with two changes, each for a reason.
#   1. "localhost:9092" -> "kafka:9092": this program runs in a container of the lab, where
#      localhost is that container itself; the broker is the service `kafka`.
#   2. words.pprint() and pairs.pprint() are not commented out: the tutorial's log (step 6)
#      shows their blocks, so its author ran them; with them each batch prints the log's five.
# Run it as the tutorial does, inside the lab:
#   spark-submit /opt/streamlab/jobs/tutorial/kafka_wordcount.py > a.log
from pyspark.streaming import StreamingContext
from pyspark.streaming.kafka import KafkaUtils
from pyspark.sql.session import SparkSession

topic="topic_name"

spark = SparkSession.builder.master("local[2]").getOrCreate()
sc = spark.sparkContext
ssc = StreamingContext(sc,3)

#创建direct连接，指定要连接的topic和broker地址
ks = KafkaUtils.createDirectStream(ssc,[topic],{"metadata.broker.list":"kafka:9092"})
#(None,内容)
ks.pprint()
#（key,value)
#以下代码每操作一次，就打印输出一次
lines = ks.map(lambda x:x[1])
lines.pprint()

words = lines.flatMap(lambda line:line.split(","))
words.pprint()

pairs = words.map(lambda word:(word,1))
pairs.pprint()

counts = pairs.reduceByKey(lambda x,y:x+y)
counts.pprint()

ssc.start()
#等待计算结束
ssc.awaitTermination()
