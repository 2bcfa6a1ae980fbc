# The tutorial's producer.py (section 4.3, step 1), as the lab runs it: the text of the
# tutorial with one change, for a reason.
#   1. The value is bytes, "...".encode(): the tutorial was written for Python 2, where a str
#      is bytes; in Python 3 kafka-python sends only bytes unless given a value_serializer
#      (with a str it fails: "TypeError: Unsupported type for serialized value").
# Run it as the tutorial does, on the host: python3 producer/tutorial_producer.py (the lab's
# broker answers on localhost:9092).
from kafka import KafkaProducer
import time

#创建KafkaProducer，连接broker
producer = KafkaProducer(bootstrap_servers='localhost:9092')

#每隔一段时间发送一端字符串数据到broker
def send_data():
    for i in range(60):
        # (key,value) 参数2 是value 
        producer.send('topic_name',"hello,kafka,spark,streaming,kafka".encode())
        time.sleep(2)
send_data()
