package io.skypanel.launcher.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * Keeps what one logger (and those below it) logs while a test runs, with the time of each line, so a failure can say
 * what the platform saw meanwhile. Closing restores the logger's level and additivity.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousAdditive;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  /**
   * @param level    the level to capture from (null: the logger's own)
   * @param additive whether the lines still reach the console too
   */
  public LogCapture(String loggerName, Level level, boolean additive) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previousLevel = logger.getLevel();
    previousAdditive = logger.isAdditive();
    appender.start();
    logger.addAppender(appender);
    if (level != null) {
      logger.setLevel(level);
    }
    logger.setAdditive(additive);
  }

  /** Every line so far, as "time LEVEL message". */
  public List<String> lines() {
    return appender.list.stream().map(event -> Instant.ofEpochMilli(event.getTimeStamp()).atZone(ZoneId.systemDefault()).toLocalTime()
        + " " + event.getLevel() + " " + event.getFormattedMessage()).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
    logger.setAdditive(previousAdditive);
  }
}
