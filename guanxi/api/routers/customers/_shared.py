"""What the customers endpoints share."""









